//! The pure domain: codes, classes, the parcel lifecycle, registry records and their checks, and (with
//! later modules) the access rules and indicators. Nothing here touches a database or HTTP.

pub mod access;
pub mod adjustment;
pub mod collection;
pub mod crops;
pub mod crs;
pub mod duties;
pub mod farmland;
pub mod gcj02;
pub mod geometry;
pub mod indicators;
pub mod key_land;
pub mod landuse;
pub mod ledger_rate;
pub mod lifecycle;
pub mod lists;
pub mod measures;
pub mod registry;
pub mod rules;
pub mod scope;
pub mod search;
pub mod series;
pub mod signin;
pub mod soil;
pub mod sources;
pub mod targets;
pub mod time;
pub mod trace;
