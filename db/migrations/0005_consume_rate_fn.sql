-- One round trip for a rate-limit decision (lib/rate-limit.ts consumeRate). The check and the
-- insert used to run as four statements in a transaction holding the advisory lock, so the lock
-- was held across the app's own turns: under load every caller of one key (a token's pull
-- secrets, a user's tests) waited behind those turns (issue 16's load suite: pull p50 6.8 s).
-- Here the lock is taken and released inside PostgreSQL. PL/pgSQL gives each statement a fresh
-- snapshot (READ COMMITTED), so the count sees the events of the caller that held the lock
-- before; the lock is the same hashtext(bucket:subject) key as before.
CREATE OR REPLACE FUNCTION berth_consume_rate(p_bucket text, p_subject text, p_limit integer, p_since timestamptz, p_record boolean)
RETURNS TABLE (allowed boolean, n integer, oldest timestamptz, event_id bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  v_n integer;
  v_oldest timestamptz;
  v_id bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext(p_bucket || ':' || p_subject));
  SELECT count(*)::int, min(r.created_at) INTO v_n, v_oldest
    FROM rate_events r
   WHERE r.bucket = p_bucket AND r.subject = p_subject AND r.created_at >= p_since;
  IF v_n >= p_limit THEN
    RETURN QUERY SELECT false, v_n, v_oldest, NULL::bigint;
    RETURN;
  END IF;
  IF p_record THEN
    INSERT INTO rate_events (bucket, subject) VALUES (p_bucket, p_subject) RETURNING id INTO v_id;
    RETURN QUERY SELECT true, v_n + 1, v_oldest, v_id;
    RETURN;
  END IF;
  RETURN QUERY SELECT true, v_n, v_oldest, NULL::bigint;
END;
$$;
