-- Tile leases held as transaction-level locks, replacing the session-level ones of 20261206130001. A
-- session-level advisory lock belongs to a server connection: behind a transaction-pooling proxy (PgBouncer
-- in transaction mode, which docs/scaling.md allows) the statement giving a lease back could run on another
-- server connection than the one holding it, and the lease would then be held for good, with every write to
-- the collection waiting on it. A transaction stays on one server connection, and its end gives the lock
-- back whatever becomes of the client. The writers' side (bump_collection_change) is unchanged.
--
-- The holder (src/tilecache/leases.rs) ends its transaction and calls this in a new one every period, in
-- one message: `COMMIT; BEGIN; SET LOCAL idle_in_transaction_session_timeout = …; SELECT … lease_collection`.
-- A write waiting for the key is granted it at the COMMIT, and the try then fails. When the lease is taken,
-- the collection's data version comes with it, read by a query of its own (a VOLATILE function's every query
-- takes a new snapshot, so this one is taken after the lease was granted; seq and stamp as
-- src/store/sql/tile_version.sql reads them, tests/tiles.rs holds the two equal).

DROP FUNCTION renew_collection_lease(text, boolean);
DROP FUNCTION release_collection_lease(text);

CREATE FUNCTION lease_collection(collection text, OUT leased boolean, OUT seq bigint, OUT stamp bigint)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    leased := pg_try_advisory_xact_lock_shared(x'4c474c53'::integer, collection_lease_key(collection));
    IF leased THEN
        SELECT c.seq, (extract(epoch FROM c.changed_at) * 1000000)::bigint INTO seq, stamp
        FROM collection_changes c WHERE c.collection = lease_collection.collection;
    END IF;
END
$$;
