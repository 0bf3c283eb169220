/**
 * The patient's record as the views hold it — the GP summary, the pharmacy's orders and the
 * care plan, each only when the caller may read it — and an as-of slider over the instants
 * the patient's events were recorded at, with "now" at the right end: moving it reads the
 * views as the log stood then (`?asOf=`). I/O (through api.ts).
 */
import { useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { type Load, useLoad } from '../load.js';
import type { Session } from '../signIn.js';
import type { AsOfStop } from './asOfStops.js';
import type { PatientAccess } from './patientAccess.js';
import type { CarePlan, GpSummary, Medications } from './patientTypes.js';

function Loaded<T>({
  what,
  load,
  children,
}: {
  what: string;
  load: Load<T>;
  children: (value: T) => preact.ComponentChild;
}) {
  if (load.state === 'failed')
    return (
      <p role="alert">
        Could not load the {what}: {load.error}
      </p>
    );
  if (load.state !== 'done') return <p>Loading…</p>;
  return <>{children(load.value)}</>;
}

const empty = (colSpan: number, text: string) => (
  <tr>
    <td colSpan={colSpan}>{text}</td>
  </tr>
);

function GpView({ load }: { load: Load<GpSummary> }) {
  return (
    <section aria-labelledby="gp-title">
      <h3 id="gp-title">GP summary</h3>
      <Loaded what="GP summary" load={load}>
        {(summary) => (
          <>
            <table data-testid="active-problems">
              <caption>Active problems</caption>
              <thead>
                <tr>
                  <th scope="col">Problem</th>
                  <th scope="col">Code</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {summary.activeProblems.length === 0 && empty(3, 'None')}
                {summary.activeProblems.map((p) => (
                  <tr key={p.diagnosisId}>
                    <td>{p.display ?? p.code}</td>
                    <td>
                      {p.codeSystem} {p.code}
                    </td>
                    <td>{p.since ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <table data-testid="current-medications">
              <caption>Current medications</caption>
              <thead>
                <tr>
                  <th scope="col">Medication</th>
                  <th scope="col">Dose</th>
                  <th scope="col">Frequency</th>
                </tr>
              </thead>
              <tbody>
                {summary.currentMedications.length === 0 && empty(3, 'None')}
                {summary.currentMedications.map((m) => (
                  <tr key={m.orderId}>
                    <td>{m.display ?? m.orderId}</td>
                    <td>{[m.dose, m.doseUnit].filter((x) => x !== null).join(' ')}</td>
                    <td>{m.frequency ?? ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p>
              Discharges: <output data-testid="discharge-count">{summary.discharges.length}</output>
            </p>
          </>
        )}
      </Loaded>
    </section>
  );
}

function PharmacyView({ load }: { load: Load<Medications> }) {
  return (
    <section aria-labelledby="pharmacy-title">
      <h3 id="pharmacy-title">Pharmacy</h3>
      <Loaded what="pharmacy orders" load={load}>
        {(medications) => (
          <table data-testid="pharmacy-orders">
            <caption>Orders</caption>
            <thead>
              <tr>
                <th scope="col">Medication</th>
                <th scope="col">Status</th>
                <th scope="col">Ordered</th>
                <th scope="col">Ended</th>
              </tr>
            </thead>
            <tbody>
              {medications.orders.length === 0 && empty(4, 'None')}
              {medications.orders.map((o) => (
                <tr key={o.orderId}>
                  <td>{o.display ?? o.orderId}</td>
                  <td>{o.status}</td>
                  <td>{o.orderedAt ?? ''}</td>
                  <td>{o.endedAt ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}

function CarePlanView({ load }: { load: Load<CarePlan> }) {
  return (
    <section aria-labelledby="care-plan-title">
      <h3 id="care-plan-title">Care plan</h3>
      <Loaded what="care plan" load={load}>
        {(plan) => (
          <table data-testid="care-plan-tasks">
            <caption>Tasks</caption>
            <thead>
              <tr>
                <th scope="col">Task</th>
                <th scope="col">Due</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {plan.tasks.length === 0 && empty(3, 'None')}
              {plan.tasks.map((t) => (
                <tr key={t.taskId}>
                  <td>{t.kind}</td>
                  <td>{t.dueAt}</td>
                  <td>{t.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </section>
  );
}

export function RecordViews({
  session,
  nhs,
  access,
  stops,
}: {
  session: Session;
  nhs: string;
  access: PatientAccess;
  stops: readonly AsOfStop[];
}) {
  const [index, setIndex] = useState(stops.length - 1);
  const at = Math.min(index, stops.length - 1);
  const stop = stops[at];
  const asOf = stop?.asOf;
  const query = asOf === undefined ? '' : `?asOf=${encodeURIComponent(asOf)}`;
  const key = (view: string, allowed: boolean) => (allowed ? `${view} ${nhs} ${asOf ?? 'now'}` : undefined);
  const gp = useLoad(key('gp', access.gpSummary), () =>
    apiGet<GpSummary>(session, `/patients/${nhs}/gp-summary${query}`),
  );
  const medications = useLoad(key('medications', access.medications), () =>
    apiGet<Medications>(session, `/patients/${nhs}/medications${query}`),
  );
  const carePlan = useLoad(key('care-plan', access.carePlan), () =>
    apiGet<CarePlan>(session, `/patients/${nhs}/care-plan${query}`),
  );
  if (!access.gpSummary && !access.medications && !access.carePlan) return null;
  return (
    <section aria-labelledby="record-title">
      <h3 id="record-title">Record</h3>
      <div class="as-of">
        <label for="as-of">As of</label>
        <input
          id="as-of"
          type="range"
          min={0}
          max={stops.length - 1}
          step={1}
          value={at}
          aria-valuetext={stop?.label ?? 'now'}
          onInput={(event) => setIndex(Number((event.target as HTMLInputElement).value))}
        />
        <output for="as-of" data-testid="as-of-instant" aria-live="polite">
          {stop?.label ?? 'now'}
        </output>
      </div>
      {access.gpSummary && <GpView load={gp} />}
      {access.medications && <PharmacyView load={medications} />}
      {access.carePlan && <CarePlanView load={carePlan} />}
    </section>
  );
}
