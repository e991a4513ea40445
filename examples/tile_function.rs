//! Prints an SQL function `NAME(z integer, x integer, y integer) RETURNS bytea` that runs landguard's own
//! current-tile statement for farmland units at full detail (the same simplification, the same dropping of
//! features under a pixel, the same properties), for bench/tiles.sh: martin serves it as a function
//! source, so that martin and landguard do the same database work per uncached tile and what differs
//! between the two is the server. The statement is taken from the library, not copied, so it cannot drift.
//!
//!     cargo run --release --example tile_function -- landguard_same | psql "$BENCH_URL"

use landguard::domain::registry::Collection;
use landguard::domain::time::AsOf;
use landguard::store::statements::Z12;
use landguard::store::tiles::{detail_params, tile_sql, TileDetail};

fn main() {
    let name = std::env::args().nth(1).unwrap_or_else(|| "landguard_same".into());
    let c = Collection::FarmlandUnits;
    let (tolerance, smallest, full) = detail_params(TileDetail::Full);
    // $1..$3 stay: in PL/pgSQL they are the function's z, x and y, bound as landguard binds them
    // (int4); $4..$6 become variables holding what landguard binds at full detail, so that they reach
    // the plan as parameters, as landguard's do, not as constants the planner could fold.
    let body = |z: u8| {
        tile_sql(c, AsOf::Current, z)
            .replace("$4", "lg_tolerance")
            .replace("$5", "lg_smallest")
            .replace("$6", "lg_full")
    };
    println!("CREATE OR REPLACE FUNCTION {name}(z integer, x integer, y integer) RETURNS bytea");
    println!("LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$");
    println!("DECLARE");
    println!("lg_tolerance float8 := {tolerance:?};");
    println!("lg_smallest float8 := {smallest:?};");
    println!("lg_full boolean := {full};");
    println!("BEGIN");
    println!("IF z <= {Z12} THEN");
    println!("RETURN (SELECT s.mvt FROM (\n{}\n) s);", body(Z12));
    println!("END IF;");
    println!("RETURN (SELECT s.mvt FROM (\n{}\n) s);", body(Z12 + 1));
    println!("END");
    println!("$fn$;");
}
