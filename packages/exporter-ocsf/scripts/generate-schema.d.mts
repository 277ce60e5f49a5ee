// Types for scripts/generate-schema.mjs (so TypeScript tests can import it).
export declare const DEFAULT_SOURCE_DIR: string;
export declare const DEFAULT_OUTPUT: string;
export declare const DEFAULT_PROFILES: string[];
export declare function compileApiActivitySchema(
  sourceDir?: string,
  profiles?: string[],
): Record<string, unknown>;
export declare function renderSchema(schema: Record<string, unknown>): string;
