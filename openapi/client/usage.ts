// Calls made through the types generated from the document (v1.d.ts), as the dashboard and
// the patient's app make them; tsc checks this file, so a renamed route or field in the
// contract fails the OpenApi tests instead of a client.
import type { components, paths } from "./v1";

type CheckInRoute = paths["/api/episodes/{episodeId}/check-ins"]["post"];
type CheckInRequest = NonNullable<CheckInRoute["requestBody"]>["content"]["application/json"];
type CheckInAccepted = CheckInRoute["responses"][201]["content"]["application/json"];
type FieldErrors = CheckInRoute["responses"][400]["content"]["application/problem+json"];
type LiveEvent = paths["/api/dashboard/stream"]["get"]["responses"][200]["content"]["text/event-stream"];

export const checkIn: CheckInRequest = {
  checkInId: "0193b6a2-7c41-7d3e-9a51-2f4c8e1d0b77",
  day: "2026-11-02",
  painLevel: 4,
  swelling: "mild",
  canWalkComfortably: true,
};

export function alertTitles(accepted: CheckInAccepted): string[] {
  return accepted.alerts.map((alert: components["schemas"]["Alert"]) => alert.title ?? "");
}

export function firstFieldError(problem: FieldErrors, field: string): string | undefined {
  return problem.errors?.[field]?.[0];
}

export function episodeOf(event: LiveEvent): string {
  return event.episodeId;
}

export const dashboardRoute: keyof paths = "/api/dashboard";
