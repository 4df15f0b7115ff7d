// Type-checks typical calls against the TypeScript client generated from the live document (tsc --strict, no emit):
// if the document lies about a body, a required field or an error, this stops compiling.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/schema";

type Schemas = components["schemas"];

const client = createClient<paths>({ baseUrl: "http://localhost:5080", headers: { "X-Api-Key": "zi_dev_admin_key_for_local_development_only" } });

export async function declare(agencyId: string, unitIds: string[]): Promise<string> {
  const { data, error } = await client.POST("/api/v1/declarations", {
    body: {
      agencyId,
      declaredOn: "2026-03-15",
      place: "Auditorium Kementerian PUPR, Jakarta",
      units: unitIds.map((unitId, i) => ({ unitId, head: { name: `Kepala ${i + 1}`, nip: "198001012005011001", position: "Kepala Biro" } })),
      witnesses: [{ name: "Inspektur Jenderal", position: "Inspektur Jenderal", institution: "Kementerian PUPR" }],
    },
  });
  if (error) {
    const conflicts: Schemas["ProblemConflict"][] = error.conflicts ?? [];
    throw new Error(`${error.status} ${error.title} (${error.traceId}): ${conflicts.map((c) => c.unitCode).join(", ")}`);
  }
  const id: string = data.id;
  return id;
}

export async function setCeiling(unitId: string, year: number): Promise<string> {
  const { data, error } = await client.PUT("/api/v1/units/{id}/budget/{year}", {
    params: { path: { id: unitId, year } },
    body: { ceiling: "125000000000000.37" },
  });
  if (error) {
    throw new Error(Object.entries(error.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join(" ")}`).join("; "));
  }
  const ceiling: string = data.ceiling;
  return ceiling;
}

export async function upload(assessmentId: string, pdf: Blob): Promise<Schemas["EvidenceItem"]> {
  const { data, error } = await client.POST("/api/v1/assessments/{id}/items/{itemCode}/evidence", {
    params: { path: { id: assessmentId, itemCode: "MP.P.1.a" }, header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { file: "sk.pdf", description: "SK Tim Kerja" },
    bodySerializer: (body) => {
      const form = new FormData();
      if ("file" in body) {
        form.append("file", pdf, body.file);
        form.append("description", body.description ?? "");
      }
      return form;
    },
  });
  if (error) {
    throw new Error(`${error.status}: ${error.detail ?? error.title}`);
  }
  return data;
}

export async function answerAll(assessmentId: string, answers: Schemas["AnswerInput"][]): Promise<number> {
  const { data, error } = await client.PUT("/api/v1/assessments/{id}/answers/{layer}", {
    params: { path: { id: assessmentId, layer: "self" } },
    body: { answers },
  });
  if (error) {
    throw new Error(error.detail ?? error.title);
  }
  return data.answers.length;
}

export async function auditChanges(): Promise<unknown[]> {
  const { data, error } = await client.GET("/api/v1/audit", { params: { query: { pageSize: 10 } } });
  if (error) {
    throw new Error(error.title);
  }
  // The same operation answers CSV text with Accept: text/csv.
  return typeof data === "string" ? [data] : data.items.map((entry) => entry.changes);
}

export const roles: Schemas["CreateApiKeyRequest"]["role"][] = ["admin", "inspectorate", "evaluator", "unit", "reader"];
