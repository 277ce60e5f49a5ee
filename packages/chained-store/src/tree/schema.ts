// SQLite layout of the Merkle layer: tlog-tiles-shaped hash tiles, the tree state and the signed
// checkpoints, per chain. Extra tables only: the reference's `traces`/`meta` are untouched, so
// weaver-kernel still reads and verifies a Weft store.

/**
 * `hashes` holds a tile's bottom row exactly as C2SP tlog-tiles serves it (width × 32 bytes, 256
 * when full); `interior` holds the 254 hashes above it inside the tile (heights 1–7), so a proof
 * is a handful of lookups instead of re-hashing up to 255 nodes per tile.
 */
export const TREE_TABLES = `
CREATE TABLE IF NOT EXISTS weft_merkle_tiles (
  chain TEXT NOT NULL,
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hashes BLOB NOT NULL,
  interior BLOB NOT NULL,
  PRIMARY KEY (chain, level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS weft_tree_state (
  chain TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  root BLOB NOT NULL,
  compact BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS weft_checkpoints (
  chain TEXT NOT NULL,
  size INTEGER NOT NULL,
  root BLOB NOT NULL,
  note TEXT NOT NULL,
  timestamp BLOB,
  created_at TEXT NOT NULL,
  PRIMARY KEY (chain, size)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS weft_log_keys (
  chain TEXT NOT NULL,
  from_size INTEGER NOT NULL,
  vkey TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (chain, from_size, vkey)
) WITHOUT ROWID;
`;

export const TREE_TABLE_NAMES = [
  "weft_merkle_tiles",
  "weft_tree_state",
  "weft_checkpoints",
  "weft_log_keys",
] as const;

/** Read-only opens of a file without the tree tables get empty temp stand-ins (one code path). */
export function tempTreeTables(missing: readonly string[]): string {
  return TREE_TABLES.split(";")
    .filter((s) => missing.some((t) => s.includes(`EXISTS ${t} `)))
    .map((s) => s.replace("CREATE TABLE IF NOT EXISTS", "CREATE TEMP TABLE").replace(" WITHOUT ROWID", ""))
    .join(";");
}
