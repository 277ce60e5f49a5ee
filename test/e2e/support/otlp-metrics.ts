// Reads metric data points from the collector's file exporter output (OTLP JSON lines) and keeps
// the latest point of every series, i.e. the final value of a cumulative counter.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface MetricPoint {
  name: string;
  attributes: Record<string, string>;
  value: number;
  timeUnixNano: bigint;
}

function obj(value: Json | undefined): { [key: string]: Json } {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? value : {};
}
function arr(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function attributeMap(list: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of arr(list)) {
    const value = obj(obj(item)["value"]);
    const scalar = value["stringValue"] ?? value["intValue"] ?? value["doubleValue"] ?? value["boolValue"];
    out[String(obj(item)["key"])] = String(scalar);
  }
  return out;
}

/** Latest point per (metric name, attributes) across every line of the file. */
export function latestMetricPoints(text: string): MetricPoint[] {
  const latest = new Map<string, MetricPoint>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const request = obj(JSON.parse(line) as Json);
    for (const rm of arr(request["resourceMetrics"])) {
      for (const sm of arr(obj(rm)["scopeMetrics"])) {
        for (const m of arr(obj(sm)["metrics"])) {
          const metric = obj(m);
          const name = String(metric["name"]);
          const data = obj(metric["sum"] ?? metric["gauge"]);
          for (const p of arr(data["dataPoints"])) {
            const point = obj(p);
            const raw = point["asInt"] ?? point["asDouble"] ?? 0;
            const entry: MetricPoint = {
              name,
              attributes: attributeMap(point["attributes"]),
              value: Number(raw),
              timeUnixNano: BigInt(String(point["timeUnixNano"] ?? "0")),
            };
            const key = `${name} ${JSON.stringify(Object.entries(entry.attributes).sort())}`;
            const previous = latest.get(key);
            if (!previous || previous.timeUnixNano <= entry.timeUnixNano) latest.set(key, entry);
          }
        }
      }
    }
  }
  return [...latest.values()];
}
