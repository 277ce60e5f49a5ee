// OCSF 1.8.0 identifiers used by Weft's API Activity events (class 6003). Values come from the
// OCSF schema source (events/application/api_activity.json, dictionary.json, categories.json).

export const OCSF_VERSION = "1.8.0";

export const CATEGORY_UID = 6;
export const CATEGORY_NAME = "Application Activity";
export const CLASS_UID = 6003;
export const CLASS_NAME = "API Activity";

export const Activity = {
  Unknown: { id: 0, name: "Unknown" },
  Create: { id: 1, name: "Create" },
  Read: { id: 2, name: "Read" },
  Update: { id: 3, name: "Update" },
  Delete: { id: 4, name: "Delete" },
  Other: { id: 99, name: "Other" },
} as const;
export type ActivityId = (typeof Activity)[keyof typeof Activity]["id"];

export const Severity = {
  Unknown: { id: 0, name: "Unknown" },
  Informational: { id: 1, name: "Informational" },
  Low: { id: 2, name: "Low" },
  Medium: { id: 3, name: "Medium" },
  High: { id: 4, name: "High" },
  Critical: { id: 5, name: "Critical" },
  Fatal: { id: 6, name: "Fatal" },
  Other: { id: 99, name: "Other" },
} as const;
export type SeverityId = (typeof Severity)[keyof typeof Severity]["id"];

export const Status = {
  Unknown: { id: 0, name: "Unknown" },
  Success: { id: 1, name: "Success" },
  Failure: { id: 2, name: "Failure" },
  Other: { id: 99, name: "Other" },
} as const;
export type StatusId = (typeof Status)[keyof typeof Status]["id"];

/** `resource_details.role_id` */
export const ResourceRole = { Target: 1, Actor: 2, Affected: 3, Related: 4 } as const;

/** `type_uid = class_uid * 100 + activity_id` (OCSF dictionary). */
export function typeUid(activityId: number): number {
  return CLASS_UID * 100 + activityId;
}

/** Profiles the generated schema covers; events declare the ones they use in `metadata.profiles`. */
export const PROFILE_TRACE = "trace";
