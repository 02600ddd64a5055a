-- Delegate schema, migration 1: Designate's MySQL schema at alembic head
-- `f49c4409c8ba` (spec/storage.md), table for table and column for column.
--
-- The DDL reproduces what Designate's alembic chain (c9f427f7180a ... f49c4409c8ba)
-- leaves in a fresh MySQL database, including its accidents (spec/storage.md §4):
-- columns renamed from domain_* became nullable, zones.type lost its default,
-- service_statuses.status became nullable, records has two FKs to recordsets.
-- Column order follows the migrations (renames and MODIFYs keep a column's
-- position, added columns go last), so `SELECT *` sees what Designate's tables hold.
-- Every table is InnoDB, utf8mb3 with utf8mb3_general_ci: name-type columns
-- compare case-insensitively in the database, as in Designate. The collation is
-- spelled out because newer MariaDB releases map utf8mb3 to a UCA collation.
--
-- Pointing Delegate at an existing Designate database
-- ---------------------------------------------------
-- Do NOT let this file run against it: the tables exist already, and the first
-- CREATE TABLE below (alembic_version) fails on purpose with
-- "Table 'alembic_version' already exists". Instead, set
-- `[storage:sqlalchemy] connection` to that database and run
-- `delegate-manage database sync`: the storage crate's migrator finds
-- `alembic_version.version_num = 'f49c4409c8ba'` and no `_sqlx_migrations` row,
-- records this migration (version 1) as applied in `_sqlx_migrations` (with this
-- file's checksum) without executing it, then applies later migrations as usual.
-- A database at an older alembic revision must first be upgraded with
-- `designate-manage database sync`; any other revision is refused.
-- If this file is run against a Designate database anyway, it stops at the
-- first statement without touching any data, but sqlx has already recorded
-- version 1 with success = 0 (MySQL commits before DDL): delete that
-- `_sqlx_migrations` row, then run `delegate-manage database sync`.
--
-- Runs as one multi-statement query (sqlx's MySQL migrator): plain statements
-- only, no DELIMITER, no procedures. MySQL commits DDL implicitly, so a failure
-- half-way leaves a partial schema: drop the database and start again.
--
-- Delegate's own additions (none yet) go in later files (0002_...), never here:
-- this file's checksum must stay stable for databases that recorded it.

-- Created first so that running this against a Designate database stops at once.
CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.11 pools
CREATE TABLE pools (
    id CHAR(32) NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    version INT NOT NULL,
    name VARCHAR(50) NOT NULL,
    description VARCHAR(160) NULL,
    tenant_id VARCHAR(36) NULL,
    provisioner ENUM('UNMANAGED') NOT NULL DEFAULT 'UNMANAGED',
    PRIMARY KEY (id),
    UNIQUE KEY unique_pool_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE pool_ns_records (
    id CHAR(32) NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    version INT NOT NULL,
    pool_id CHAR(32) NOT NULL,
    priority INT NOT NULL,
    hostname VARCHAR(255) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_ns_name (pool_id, hostname),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE pool_attributes (
    id CHAR(32) NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    version INT NOT NULL,
    `key` VARCHAR(255) NOT NULL,
    value VARCHAR(255) NOT NULL,
    pool_id CHAR(32) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_pool_attribute (pool_id, `key`, value),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.1 zones
CREATE TABLE zones (
    id CHAR(32) NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    version INT NOT NULL,
    tenant_id VARCHAR(36) NULL,
    name VARCHAR(255) NOT NULL,
    email VARCHAR(255) NOT NULL,
    ttl INT NOT NULL,
    refresh INT NOT NULL,
    retry INT NOT NULL,
    expire INT NOT NULL,
    minimum INT NOT NULL,
    parent_zone_id CHAR(32) NULL,
    serial INT NOT NULL DEFAULT '1',
    deleted CHAR(32) NOT NULL DEFAULT '0',
    deleted_at DATETIME NULL,
    description VARCHAR(160) NULL,
    status ENUM('ACTIVE','PENDING','DELETED','ERROR') NOT NULL DEFAULT 'PENDING',
    action ENUM('CREATE','DELETE','UPDATE','NONE') NOT NULL DEFAULT 'CREATE',
    pool_id CHAR(32) NULL,
    reverse_name VARCHAR(255) NOT NULL DEFAULT '',
    -- Re-declared NOT NULL without its old 'PRIMARY' default by 9099de8ae11c.
    type ENUM('PRIMARY','SECONDARY','CATALOG') NOT NULL,
    transferred_at DATETIME NULL,
    shard SMALLINT NOT NULL,
    delayed_notify TINYINT(1) NULL,
    increment_serial TINYINT(1) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_domain_name (name, deleted, pool_id),
    KEY zone_deleted (deleted),
    KEY zone_tenant_deleted (tenant_id, deleted),
    KEY reverse_name_deleted (reverse_name, deleted),
    KEY zone_created_at (created_at),
    KEY delayed_notify (delayed_notify),
    KEY increment_serial (increment_serial),
    CONSTRAINT fk_zones_id_parent_zone_id FOREIGN KEY (parent_zone_id)
        REFERENCES zones (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.2 zone_attributes (zone_id nullable: renamed from domain_id)
CREATE TABLE zone_attributes (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    `key` VARCHAR(50) NULL,
    value VARCHAR(255) NOT NULL,
    zone_id CHAR(32) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_attributes (`key`, value, zone_id),
    CONSTRAINT fk_zone_attributes_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.5 recordsets (zone_id, zone_shard nullable: renamed from domain_*)
CREATE TABLE recordsets (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    zone_shard SMALLINT NULL,
    tenant_id VARCHAR(36) NULL,
    zone_id CHAR(32) NULL,
    name VARCHAR(255) NOT NULL,
    type ENUM('A','AAAA','CNAME','MX','SRV','TXT','SPF','NS','PTR','SSHFP','SOA',
              'NAPTR','CAA','CERT','HTTPS','SVCB','TLSA') NOT NULL,
    ttl INT NULL,
    description VARCHAR(160) NULL,
    reverse_name VARCHAR(255) NOT NULL DEFAULT '',
    PRIMARY KEY (id),
    UNIQUE KEY unique_recordset (zone_id, name, type),
    KEY rrset_type_domainid (type, zone_id),
    KEY recordset_type_name (type, name),
    KEY reverse_name_dom_id (reverse_name, zone_id),
    KEY recordset_created_at (created_at),
    KEY rrset_updated_at (updated_at),
    KEY rrset_zoneid (zone_id),
    KEY rrset_type (type),
    KEY rrset_ttl (ttl),
    KEY rrset_tenant_id (tenant_id),
    CONSTRAINT fk_recordsets_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.6 records (zone_id, zone_shard nullable: renamed from domain_*)
CREATE TABLE records (
    id CHAR(32) NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    version INT NOT NULL,
    data TEXT NOT NULL,
    zone_id CHAR(32) NULL,
    managed TINYINT(1) NULL,
    managed_resource_type VARCHAR(50) NULL,
    managed_resource_id CHAR(32) NULL,
    managed_plugin_type VARCHAR(50) NULL,
    managed_plugin_name VARCHAR(50) NULL,
    hash VARCHAR(32) NOT NULL,
    description VARCHAR(160) NULL,
    status ENUM('ACTIVE','PENDING','DELETED','ERROR') NOT NULL DEFAULT 'PENDING',
    tenant_id VARCHAR(36) NULL,
    recordset_id CHAR(32) NOT NULL,
    managed_tenant_id VARCHAR(36) NULL,
    managed_resource_region VARCHAR(100) NULL,
    managed_extra VARCHAR(100) NULL,
    action ENUM('CREATE','DELETE','UPDATE','NONE') NOT NULL DEFAULT 'CREATE',
    serial INT NOT NULL DEFAULT '1',
    zone_shard SMALLINT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_record (hash),
    KEY records_tenant (tenant_id),
    KEY record_created_at (created_at),
    KEY update_status_index (status, zone_id, tenant_id, created_at, serial),
    -- Two FKs to recordsets, as in a migrated database: the unnamed one of the
    -- first migration (MySQL named it records_ibfk_2) and the named duplicate.
    CONSTRAINT records_ibfk_2 FOREIGN KEY (recordset_id)
        REFERENCES recordsets (id) ON DELETE CASCADE,
    CONSTRAINT fkey_records_recordset_id FOREIGN KEY (recordset_id)
        REFERENCES recordsets (id) ON DELETE CASCADE,
    CONSTRAINT fk_records_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.7 quotas
CREATE TABLE quotas (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    tenant_id VARCHAR(36) NOT NULL,
    resource VARCHAR(32) NOT NULL,
    hard_limit INT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_quota (tenant_id, resource)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.9 tsigkeys
CREATE TABLE tsigkeys (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    name VARCHAR(255) NOT NULL,
    algorithm ENUM('hmac-md5','hmac-sha1','hmac-sha224','hmac-sha256','hmac-sha384',
                   'hmac-sha512') NOT NULL,
    secret VARCHAR(255) NOT NULL,
    scope ENUM('POOL','ZONE') NOT NULL DEFAULT 'POOL',
    resource_id CHAR(32) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_tsigkey_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.8 tlds
CREATE TABLE tlds (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    name VARCHAR(255) NOT NULL,
    description VARCHAR(160) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_tld_name (name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.12 zone_transfer_requests (zone_id nullable: renamed from domain_id)
CREATE TABLE zone_transfer_requests (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    zone_id CHAR(32) NULL,
    `key` VARCHAR(255) NOT NULL,
    description VARCHAR(255) NULL,
    tenant_id VARCHAR(36) NOT NULL,
    target_tenant_id VARCHAR(36) NULL,
    status ENUM('ACTIVE','PENDING','DELETED','ERROR','COMPLETE') NOT NULL DEFAULT 'ACTIVE',
    PRIMARY KEY (id),
    CONSTRAINT fk_ztr_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.13 zone_transfer_accepts (zone_id nullable: renamed from domain_id)
CREATE TABLE zone_transfer_accepts (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    zone_id CHAR(32) NULL,
    zone_transfer_request_id CHAR(32) NOT NULL,
    tenant_id VARCHAR(36) NOT NULL,
    status ENUM('ACTIVE','PENDING','DELETED','ERROR','COMPLETE') NOT NULL DEFAULT 'ACTIVE',
    PRIMARY KEY (id),
    -- MySQL-generated name in a migrated database (the zone FK was ibfk_1).
    CONSTRAINT zone_transfer_accepts_ibfk_2 FOREIGN KEY (zone_transfer_request_id)
        REFERENCES zone_transfer_requests (id) ON DELETE CASCADE,
    CONSTRAINT fk_zta_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.14 zone_tasks
CREATE TABLE zone_tasks (
    id CHAR(32) NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    version INT NOT NULL,
    tenant_id VARCHAR(36) NULL,
    zone_id CHAR(32) NULL,
    task_type ENUM('IMPORT','EXPORT') NULL,
    message VARCHAR(160) NULL,
    status ENUM('ACTIVE','PENDING','DELETED','ERROR','COMPLETE') NOT NULL DEFAULT 'ACTIVE',
    location VARCHAR(160) NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_zone_tasks_zones_id_zone_id FOREIGN KEY (zone_id)
        REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.10 blacklists (the unique key is really named `pattern`)
CREATE TABLE blacklists (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    updated_at DATETIME NULL,
    created_at DATETIME NULL,
    pattern VARCHAR(255) NOT NULL,
    description VARCHAR(160) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY pattern (pattern)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.3 zone_masters
CREATE TABLE zone_masters (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    host VARCHAR(32) NOT NULL,
    port INT NOT NULL,
    zone_id CHAR(32) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_masters (host, port, zone_id),
    FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.11 pool children added by d04819112169 (tsigkey_id appended by d2a4aea32428)
CREATE TABLE pool_nameservers (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    pool_id CHAR(32) NOT NULL,
    host VARCHAR(255) NOT NULL,
    port INT NOT NULL,
    tsigkey_id CHAR(32) NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_pool_host_port (pool_id, host, port),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE pool_targets (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    pool_id CHAR(32) NOT NULL,
    type VARCHAR(50) NOT NULL,
    tsigkey_id CHAR(32) NULL,
    description VARCHAR(160) NULL,
    PRIMARY KEY (id),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE pool_target_masters (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    pool_target_id CHAR(32) NOT NULL,
    host VARCHAR(255) NOT NULL,
    port INT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_pool_target_host_port (pool_target_id, host, port),
    FOREIGN KEY (pool_target_id) REFERENCES pool_targets (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE pool_target_options (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    pool_target_id CHAR(32) NOT NULL,
    `key` VARCHAR(255) NOT NULL,
    value VARCHAR(255) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_pool_target_key (pool_target_id, `key`),
    FOREIGN KEY (pool_target_id) REFERENCES pool_targets (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

CREATE TABLE pool_also_notifies (
    id CHAR(32) NOT NULL,
    version INT NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    pool_id CHAR(32) NOT NULL,
    host VARCHAR(255) NOT NULL,
    port INT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_pool_also_notifies_pool0host0port (pool_id, host, port),
    FOREIGN KEY (pool_id) REFERENCES pools (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.15 service_statuses (status nullable since f49c4409c8ba widened the enum)
CREATE TABLE service_statuses (
    id CHAR(32) NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    service_name VARCHAR(40) NOT NULL,
    hostname VARCHAR(255) NOT NULL,
    heartbeated_at DATETIME NULL,
    status ENUM('UP','DOWN','WARNING','STOPPED') NULL,
    stats TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_service_status (service_name, hostname)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- §2.4 shared_zones
CREATE TABLE shared_zones (
    id CHAR(32) NOT NULL,
    created_at DATETIME NULL,
    updated_at DATETIME NULL,
    zone_id CHAR(32) NOT NULL,
    project_id VARCHAR(36) NOT NULL,
    target_project_id VARCHAR(36) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY unique_shared_zone (zone_id, project_id, target_project_id),
    FOREIGN KEY (zone_id) REFERENCES zones (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci;

-- The default pool, id = `[service:central] default_pool_id`'s default
-- (794ccc2c-d751-44fe-b57f-8894c9f5c842). Designate leaves created_at NULL here;
-- Delegate stamps it (UTC, like every created_at).
INSERT INTO pools (id, created_at, version, name)
VALUES ('794ccc2cd75144feb57f8894c9f5c842', UTC_TIMESTAMP(), 1, 'default');

-- Last, so that a half-applied schema never claims to be at head.
INSERT INTO alembic_version (version_num) VALUES ('f49c4409c8ba');
