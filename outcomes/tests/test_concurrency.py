"""Two submissions of the same link at once store one set of answers (PostgreSQL row locks)."""

import threading
from datetime import date

import pytest
from django.db import connection

from outcomes import services
from outcomes.models import PromInvitation, PromResponse
from outcomes.senders import LocmemSender

from .factories import accepted_episode


@pytest.mark.django_db(transaction=True)
def test_link_submitted_twice_at_once_stores_answers_once(on_postgres, prom_outbox):
    episode = accepted_episode(email="p@example.invalid")
    invitation = services.prom_invitation_create(episode=episode, timepoint="entry", today=date.today())
    services.prom_invitation_send(invitation_id=invitation.pk)
    token = LocmemSender.outbox[-1].body.split("/outcomes/q/")[1].split("/")[0]
    services.prom_invitation_save_answers(token=token, answers={f"pseq_item_{i}": 4 for i in range(1, 11)})

    results, barrier = [], threading.Barrier(2)

    def submit():
        barrier.wait()
        try:
            services.prom_invitation_submit(token=token)
            results.append("ok")
        except services.LinkProblem as problem:
            results.append(problem.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "used"]
    assert PromResponse.objects.filter(episode=episode, instrument="PSEQ").count() == 1
    assert PromInvitation.objects.get(pk=invitation.pk).used_at is not None
