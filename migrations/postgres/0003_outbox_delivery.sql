-- Delivery bookkeeping for the outbox: who holds a message, and what the provider said.
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
ALTER TABLE outbox ADD COLUMN provider_id TEXT;
