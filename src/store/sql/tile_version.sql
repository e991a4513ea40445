-- The data version of a collection: its change counter and when it last moved.
SELECT seq, (extract(epoch FROM changed_at) * 1000000)::bigint AS stamp
FROM collection_changes WHERE collection = $1
