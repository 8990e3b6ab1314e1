"""Links and codes from emails: a mail scanner that prefetches the IP-confirmation link confirms
nothing, and no single-use secret sits in clear in a Celery task's arguments (the broker)."""

from unittest import mock

import pytest
from django.core import mail

from accounts.client_ip import ip_hash
from accounts.models import KnownIp, KnownIpStatus
from accounts.services import pin_reset_confirm, pin_reset_request
from accounts.tasks import send_new_ip_email, send_pin_reset_email
from accounts.tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

NEW_IP = "203.0.113.9"


def login_from_new_ip(api_client, user):
    response = api_client.post(
        "/api/v1/auth/token", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json", REMOTE_ADDR=NEW_IP
    )
    assert response.status_code == 200


def known_ip(user) -> KnownIp:
    return KnownIp.objects.get(user=user, ip_hash=ip_hash(NEW_IP))


def emailed_link() -> str:
    line = next(line for line in mail.outbox[-1].body.splitlines() if "/security/ips/confirm?token=" in line)
    return line.strip().removeprefix("http://localhost:8000")


def test_prefetching_the_emailed_link_confirms_nothing(api_client, client, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        login_from_new_ip(api_client, user)
    link = emailed_link()
    # when a scanner fetches the link, as many do, even twice, and with HEAD
    page = client.get(link)
    client.get(link)
    client.head(link)
    # then the page only asks, with a button that posts the token
    assert page.status_code == 200
    html = page.content.decode()
    assert '<form method="post">' in html and 'type="submit"' in html
    assert page["Referrer-Policy"] == "no-referrer"
    assert known_ip(user).status == KnownIpStatus.PENDING
    # and the API refuses a GET confirmation altogether
    token = link.split("token=", 1)[1]
    assert api_client.get(f"/api/v1/security/ips/confirm?token={token}").status_code == 405
    assert known_ip(user).status == KnownIpStatus.PENDING
    # while a POST with the token (the button, or an app) confirms it
    response = api_client.post("/api/v1/security/ips/confirm", {"token": token}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "trusted"


def test_ip_token_is_not_in_clear_in_the_task_arguments(api_client, user, django_capture_on_commit_callbacks):
    # given the task is only queued (as on a real broker), not run
    with mock.patch.object(send_new_ip_email, "delay") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            login_from_new_ip(api_client, user)
    (args,) = [call.args for call in queued.call_args_list]
    # when the worker runs it with those arguments, the email carries the token
    send_new_ip_email.apply(args=args)
    token = emailed_link().split("token=", 1)[1]
    # then neither the token nor the client IP was in what the broker held
    assert token not in repr(args)
    assert NEW_IP not in repr(args)
    assert NEW_IP in mail.outbox[-1].body
    assert api_client.post("/api/v1/security/ips/confirm", {"token": token}, format="json").status_code == 200


def test_pin_reset_code_is_not_in_clear_in_the_task_arguments(user, django_capture_on_commit_callbacks):
    with mock.patch.object(send_pin_reset_email, "delay") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            pin_reset_request(user=user)
    (args,) = [call.args for call in queued.call_args_list]
    send_pin_reset_email.apply(args=args)
    code = next(line for line in mail.outbox[-1].body.splitlines() if "reset code:" in line).split(": ", 1)[1]
    assert code not in repr(args)
    # and the emailed code still works
    pin_reset_confirm(user=user, token=code, new_pin="7391")


def test_a_sealed_argument_cannot_be_replayed_for_another_row(user, django_capture_on_commit_callbacks):
    with mock.patch.object(send_pin_reset_email, "delay") as queued:
        with django_capture_on_commit_callbacks(execute=True):
            pin_reset_request(user=user)
    reset_id, sealed = queued.call_args.args
    mail.outbox.clear()
    send_pin_reset_email.apply(args=[reset_id + 1000, sealed])
    assert mail.outbox == []
