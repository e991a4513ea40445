-- The three source-control registers (docs/source-control.md): key supervised units (their sites, as
-- polygons), heavy-metal pollution sources and tailings ponds (points). Their descriptions are in
-- src/domain/collection/; these checks repeat the code lists so that no other writer can store a value the
-- service would refuse. List properties (listed_years, pollutants) are comma-separated text.

SELECT landguard_versioned_table('key_supervised_units', 'key_supervised_unit_versions', 'enterprise_code',
$$name text NOT NULL,
  county_code text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
  industry text,
  listed_years text CHECK (listed_years ~ '^[0-9]{4}(,[0-9]{4})*$'),
  list_doc text,
  buried_facilities boolean,
  groundwater_sensitive boolean,
  status text NOT NULL CHECK (status IN ('operating', 'stopped', 'closed', 'relocated')),
  CHECK (enterprise_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$')$$);

SELECT landguard_versioned_table('pollution_sources', 'pollution_source_versions', 'source_code',
$$name text NOT NULL,
  county_code text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
  kind text NOT NULL CHECK (kind IN ('enterprise', 'legacy_solid_waste', 'mining_area', 'tailings', 'other')),
  pollutants text NOT NULL,
  list text NOT NULL CHECK (list IN ('full', 'screened', 'remediation')),
  state text NOT NULL CHECK (state IN ('listed', 'rectifying', 'rectified', 'closed_out')),
  deadline date,
  plan_doc text,
  closed_out_doc text$$, 'Point');

SELECT landguard_versioned_table('tailings_ponds', 'tailings_pond_versions', 'pond_code',
$$name text NOT NULL,
  county_code text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
  operator text,
  level bigint NOT NULL CHECK (level IN (1, 2, 3)),
  level_doc text,
  safety_class bigint CHECK (safety_class BETWEEN 1 AND 5),
  safety_rating text CHECK (safety_rating IN ('normal', 'ailing', 'risky', 'dangerous')),
  status text NOT NULL CHECK (status IN ('operating', 'closed', 'ownerless'))$$, 'Point');
