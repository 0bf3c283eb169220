/** Saves care-plan states and rewrites the touched patients' task rows. I/O. */
import { jsonStateStore, replacePatientRows } from '../jsonStateStore.js';
import type { ViewStore } from '../liveView.js';
import type { CarePlanState } from './evolve.js';
import { carePlanRows } from './rows.js';
import { type CarePlanViewTables, carePlanViewTables } from './tables.js';

export function carePlanViewStore(tables: CarePlanViewTables = carePlanViewTables): ViewStore<CarePlanState> {
  return jsonStateStore<CarePlanState>(tables.state, async (tx, changed) => {
    const rows = [...changed].flatMap(([nhsNumber, { state, position }]) =>
      carePlanRows(nhsNumber, state).tasks.map((task) => ({
        nhsNumber,
        id: task.taskId,
        extras: [task.kind, task.status, task.dueAt],
        data: task,
        position,
      })),
    );
    await replacePatientRows(tx, {
      table: tables.tasks,
      idColumn: 'task_id',
      extraColumns: [
        { name: 'kind', type: 'text' },
        { name: 'status', type: 'text' },
        { name: 'due_at', type: 'timestamptz' },
      ],
      rows,
      patients: [...changed.keys()],
      trackChanges: false,
    });
  });
}
