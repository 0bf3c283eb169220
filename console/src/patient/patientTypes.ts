/**
 * The shapes the patient pages read from the API (api/auditSchemas.ts, api/viewSchemas.ts),
 * as far as the pages use them. Pure.
 */

export type TimelineEvent = {
  readonly eventId: string;
  readonly type: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly source: { readonly channel: string; readonly system: string; readonly messageId: string };
  readonly chainSeq: number;
};

export type TimelinePage = { readonly events: readonly TimelineEvent[]; readonly cursor: string | null };

export type EventDetail = {
  readonly records: readonly {
    readonly receipt: {
      readonly payloadEncoding: string;
      readonly payload: string;
      readonly contentType: string;
    } | null;
  }[];
};

export type ChainVerdict = {
  readonly entries: number;
  readonly ok: boolean;
  readonly firstBrokenLink?: { readonly reason: string };
};

export type Problem = {
  readonly diagnosisId: string;
  readonly code: string;
  readonly codeSystem: string;
  readonly display: string | null;
  readonly since: string | null;
};

export type Medication = {
  readonly orderId: string;
  readonly display: string | null;
  readonly dose: string | null;
  readonly doseUnit: string | null;
  readonly frequency: string | null;
};

export type Discharge = {
  readonly visitId: string;
  readonly dischargedAt: string;
  readonly dischargeDestination: string | null;
};

export type GpSummary = {
  readonly discharges: readonly Discharge[];
  readonly activeProblems: readonly Problem[];
  readonly currentMedications: readonly Medication[];
};

export type PharmacyOrder = {
  readonly orderId: string;
  readonly status: string;
  readonly display: string | null;
  readonly orderedAt: string | null;
  readonly endedAt: string | null;
};

export type Medications = {
  readonly currentMedications: readonly Medication[];
  readonly orders: readonly PharmacyOrder[];
};

export type Task = { readonly taskId: string; readonly kind: string; readonly dueAt: string; readonly status: string };

export type CarePlan = { readonly tasks: readonly Task[] };
