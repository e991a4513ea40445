//! landguard: the register of polluted and at-risk land, its access rules, and its one map.
#![recursion_limit = "512"]

pub mod checks;
pub mod conditional;
pub mod config;
pub mod cql2;
pub mod demo;
pub mod domain;
pub mod duties;
pub mod export;
pub mod http;
pub mod import;
pub mod people;
pub mod reproject;
pub mod requests;
pub mod soilfile;
pub mod store;
pub mod tilecache;
