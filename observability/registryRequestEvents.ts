/**
 * Where the schema-registry client says it made a request (platform/schemaRegistry.ts calls
 * noteRegistryRequest): the metrics of every service in the process listen here. Only the
 * operation pattern and the outcome leave this module. Pure (in-process listeners).
 */
import { type RegistryOutcomeLabel, registryOperationLabel, registryOutcomeLabel } from './metricLabels.js';

export type RegistryRequestListener = (operation: string, outcome: RegistryOutcomeLabel) => void;

const listeners = new Set<RegistryRequestListener>();

export function noteRegistryRequest(method: string, path: string, status: number | 'unreachable'): void {
  if (listeners.size === 0) return;
  const operation = registryOperationLabel(method, path);
  const outcome = registryOutcomeLabel(status);
  for (const listener of listeners) listener(operation, outcome);
}

/** Listens until the returned function is called. */
export function onRegistryRequest(listener: RegistryRequestListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
