// Names of the copies of a store's signed checkpoints that leave the host (OTel log records,
// OCSF events), and of the diagnostics channel they are taken from.

/**
 * node:diagnostics_channel on which @weft/chained-store announces each published checkpoint
 * (after its transaction committed). Subscribers get a `CheckpointEvent`.
 *
 * Stability: development (Weft 0.x). @experimental
 */
export const CHANNEL_WEFT_STORE_CHECKPOINT = "weft:store:checkpoint";

/** OTel log record `eventName` of a published checkpoint. Stability: development (Weft 0.x). @experimental */
export const EVENT_WEFT_CHECKPOINT_PUBLISHED = "weft.checkpoint.published";

/** Checkpoint origin line (`<prefix>/<chain>`). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_CHECKPOINT_ORIGIN = "weft.checkpoint.origin";
/** Tree size the checkpoint commits to. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_CHECKPOINT_SIZE = "weft.checkpoint.size";
/** Merkle root hash, standard base64. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_CHECKPOINT_ROOT = "weft.checkpoint.root";
/** Name of the note key that signed the checkpoint. Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_CHECKPOINT_KEY_NAME = "weft.checkpoint.key_name";
/** The signed note itself (public; holds no secret). Stability: development (Weft 0.x). @experimental */
export const ATTR_WEFT_CHECKPOINT_NOTE = "weft.checkpoint.note";
