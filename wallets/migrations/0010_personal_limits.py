"""Personal spending limits (wallet_move() reads them: ledger's 0011_posting_functions_reinstalled)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("wallets", "0009_wallet_balance_cap")]

    operations = [
        migrations.CreateModel(
            name="PersonalLimit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period", models.CharField(choices=[("daily", "Daily"), ("monthly", "Monthly")], max_length=8)),
                (
                    "amount",
                    models.BigIntegerField(
                        blank=True, help_text="Minor units; null: the tier's limit again.", null=True
                    ),
                ),
                ("effective_at", models.DateTimeField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "wallet",
                    models.ForeignKey(
                        on_delete=models.deletion.PROTECT, related_name="personal_limits", to="wallets.wallet"
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["wallet", "period", "-effective_at"], name="personal_limit_in_force_idx")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount__isnull", True), ("amount__gte", 0), _connector="OR"),
                        name="personal_limit_non_negative",
                    )
                ],
            },
        ),
    ]
