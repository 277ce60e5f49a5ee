// The package version, reported as the meter's instrumentation scope version.
export const VERSION = "0.1.0";
