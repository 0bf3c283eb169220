/**
 * A plain copy of an event's medication for a view's state: a record decoded by avsc is a
 * class instance, and a state must be plain JSON to compare equal after its jsonb round trip.
 * Pure.
 */
import type { Medication } from '../schemas/generated/events.js';

export const plainMedication = (m: Medication): Medication => ({
  code: m.code,
  codeSystem: m.codeSystem,
  display: m.display,
  dose: m.dose,
  doseUnit: m.doseUnit,
  route: m.route,
  frequency: m.frequency,
  dosageText: m.dosageText,
});
