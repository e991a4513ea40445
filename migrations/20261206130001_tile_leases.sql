-- Read leases on a collection's change counter (issue 13, goal 4): a service process that holds one may
-- answer "what is the current data version?" from memory, because no write to the collection can commit
-- while the lease is held. Without it, every cached tile waited for a query to the primary (batched, but
-- one per round trip), which cost a quarter of the machine at 16 clients (docs/benchmarks.md, Tiles).
--
-- A lease is a session-level *shared* advisory lock on the collection's key, taken by a service process on
-- a connection of its own with pg_try_advisory_lock_shared and given back every `tile_lease_ms`
-- (src/tilecache/leases.rs). Every write to a collection takes the same key *exclusively* for the rest of
-- its transaction, in the trigger that bumps the counter, so:
--   * a write waits at most one lease period (plus the holder's round trip) for the holders to give back;
--   * a write cannot commit while any lease on its collection is held; a process reads the counter after
--     its lease is granted, so the version it keeps is that of the last committed write for as long as it
--     holds the lease;
--   * a lease is never granted past a waiting or running write (the lock manager queues a shared request
--     behind a waiting exclusive one, and the try form then fails), so writers are not starved; the process
--     then reads the counter per request until the write has committed and its next try succeeds.
-- The two-key form with a class of its own ('LGLS') keeps these keys apart from any single-key advisory
-- lock (sqlx's migration lock among them).

CREATE FUNCTION collection_lease_key(collection text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT hashtext(collection) $$;

CREATE OR REPLACE FUNCTION bump_collection_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(x'4c474c53'::integer, collection_lease_key(TG_ARGV[0]));
    UPDATE collection_changes SET seq = seq + 1, changed_at = now() WHERE collection = TG_ARGV[0];
    RETURN NULL;
END
$$;

-- Gives back the lease the session holds (if `held`) and tries to take it again at once, in that order: a
-- write waiting for it is granted the key as it is given back, and the try then fails. When the lease is
-- taken, also the collection's data version, read by a query of its own: a VOLATILE function's every query
-- takes a new snapshot, so this one is taken after the lease was granted. (seq and stamp as
-- src/store/sql/tile_version.sql reads them; tests/tiles.rs holds the two equal.)
CREATE FUNCTION renew_collection_lease(collection text, held boolean, OUT leased boolean, OUT seq bigint,
                                       OUT stamp bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF held THEN
        PERFORM pg_advisory_unlock_shared(x'4c474c53'::integer, collection_lease_key(collection));
    END IF;
    leased := pg_try_advisory_lock_shared(x'4c474c53'::integer, collection_lease_key(collection));
    IF leased THEN
        SELECT c.seq, (extract(epoch FROM c.changed_at) * 1000000)::bigint INTO seq, stamp
        FROM collection_changes c WHERE c.collection = renew_collection_lease.collection;
    END IF;
END
$$;

CREATE FUNCTION release_collection_lease(collection text) RETURNS boolean
LANGUAGE sql AS $$ SELECT pg_advisory_unlock_shared(x'4c474c53'::integer, collection_lease_key(collection)) $$;
