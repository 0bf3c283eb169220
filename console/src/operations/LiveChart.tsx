/**
 * A uPlot line chart of a history of readings, redrawn when the history changes; the same
 * numbers are offered as text (the latest value of each series) for those who cannot see the
 * chart. uPlot is loaded on first use: it reads the browser's locale as it loads, and a locale
 * Intl refuses (e.g. `en-US@posix`) then costs the chart, not the console. I/O (the DOM).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { History } from './rates.js';

const COLOURS = ['#1d70b8', '#d4351c', '#00703c', '#f47738', '#4c2c92', '#5694ca', '#b58840', '#912b88'];

export function LiveChart({ title, unit, history }: { title: string; unit: string; history: History }) {
  const box = useRef<HTMLDivElement>(null);
  const names = [...history.series.keys()];
  const key = names.join('\u0000');
  const plot = useRef<uPlot | undefined>(undefined);
  const [unavailable, setUnavailable] = useState<string>();
  useEffect(() => {
    let gone = false;
    import('uplot').then(
      ({ default: UPlot }) => {
        if (gone || box.current === null) return;
        plot.current = new UPlot(
          {
            title,
            width: Math.min(900, box.current.clientWidth || 600),
            height: 220,
            series: [
              {},
              ...names.map((label, i) => ({ label, stroke: COLOURS[i % COLOURS.length] ?? '#0b0c0c', width: 2 })),
            ],
            axes: [{}, { label: unit }],
          },
          [[], ...names.map(() => [])],
          box.current,
        );
        setUnavailable(undefined);
      },
      (error: unknown) => setUnavailable(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      gone = true;
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [key, title, unit]);
  useEffect(() => {
    plot.current?.setData([history.times as number[], ...names.map((n) => (history.series.get(n) ?? []) as number[])]);
  });
  return (
    <figure>
      <div ref={box} role="img" aria-label={`${title} (chart)`} />
      {unavailable !== undefined && (
        <p>The chart could not be drawn here ({unavailable}); the latest readings follow.</p>
      )}
      <figcaption>
        {title}, latest:{' '}
        {names.length === 0
          ? 'no readings yet'
          : names
              .map((n) => {
                const ys = history.series.get(n) ?? [];
                const last = ys[ys.length - 1];
                return `${n} ${last === null || last === undefined ? '–' : Number(last.toFixed(2))}`;
              })
              .join('; ')}{' '}
        ({unit})
      </figcaption>
    </figure>
  );
}
