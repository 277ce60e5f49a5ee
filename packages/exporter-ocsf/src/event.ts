// The subset of OCSF 1.8.0 API Activity (class 6003) that Weft emits, as TypeScript types.
// The generated JSON Schema (schema/) is the authority; these types keep the mapping honest.

export interface OcsfProduct {
  name: string;
  vendor_name: string;
  version: string;
}

export interface OcsfMetadata {
  version: string;
  product: OcsfProduct;
  uid: string;
  log_name: string;
  event_code?: string;
  original_time?: string;
  correlation_uid?: string;
  tenant_uid?: string;
  profiles?: string[];
}

export interface OcsfPolicy {
  name: string;
  type: string;
  uid?: string;
  is_applied: boolean;
}

export interface OcsfAuthorization {
  decision: "allow" | "deny";
  policy: OcsfPolicy;
}

export interface OcsfActor {
  user?: { uid: string };
  app_name?: string;
  authorizations: OcsfAuthorization[];
}

export interface OcsfApi {
  operation: string;
  service: { name: string };
  request: { uid: string };
  response?: { error?: string; error_message?: string };
}

export interface OcsfEndpoint {
  svc_name: string;
  hostname?: string;
  uid?: string;
}

export interface OcsfResource {
  uid: string;
  name?: string;
  type: string;
  role_id?: number;
  role?: string;
}

export interface OcsfSpanInfo {
  uid: string;
  start_time: number;
  end_time: number;
  duration: number;
  parent_uid?: string;
  operation?: string;
  status_code?: string;
}

export interface OcsfTrace {
  uid: string;
  span?: OcsfSpanInfo;
}

/** One OCSF 1.8.0 API Activity event as Weft writes it. */
export interface OcsfApiActivity {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_code?: string;
  status_detail?: string;
  message: string;
  time: number;
  timezone_offset: number;
  start_time?: number;
  end_time?: number;
  duration?: number;
  metadata: OcsfMetadata;
  actor: OcsfActor;
  api: OcsfApi;
  src_endpoint: OcsfEndpoint;
  resources: OcsfResource[];
  trace?: OcsfTrace;
  unmapped: Record<string, unknown>;
}

/** The weaver-kernel (Python reference) OCSF 1.3.0 shape, key order included. */
export interface WeaverKernelOcsfEvent {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_detail: string | null;
  time: number;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string };
    extensions: { name: string; uid: string; version: string }[];
  };
  actor: { user: { uid: string } };
  api: { operation: string; service: { name: string } };
  unmapped: {
    action_id: string;
    token_id: string;
    event_type: string;
    response_mode: string;
    sensitivity: string;
    reason_code: string | null;
    handle_id: string | null;
    result_summary: Record<string, unknown> | null;
  };
}
