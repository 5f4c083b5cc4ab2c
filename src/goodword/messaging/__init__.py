"""Reaching people: the transactional outbox, its worker, email, SMS, outgoing webhooks, consent and manners."""
