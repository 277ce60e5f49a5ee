// The package version reported as `metadata.product.version`. A constant rather than a read of
// package.json so the mapping stays free of I/O; a test keeps the two equal.
export const WEFT_VERSION = "0.1.0";
export const PRODUCT_NAME = "Weft";
export const VENDOR_NAME = "Weft";
