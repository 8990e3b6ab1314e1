from rest_framework import serializers


class SignupInputSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150)
    last_name = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, write_only=True, trim_whitespace=False)


class UserOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_joined = serializers.DateTimeField()


class TokenPairOutputSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class NotificationOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()
    body = serializers.CharField()
    data = serializers.DictField()
    read = serializers.SerializerMethodField()
    read_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()

    def get_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationReadAllOutputSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
