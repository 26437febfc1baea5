-- What the provider last said about a delivered message (accepted, delivered, failed…).
ALTER TABLE outbox ADD COLUMN delivery_status TEXT;
