// The article's dependent chain, login -> token -> data -> submit, declared
// once with flow(): each step starts as soon as (and only when) the step it
// needs has finished, while independent work (news, weather) runs beside
// the chain instead of waiting for it. The tests run it
// (test/flow/example.test.ts) on a virtual clock.
import { flow, sleep, type StepContext } from 'baton';

export interface Timeline {
  result: { receipt: string; headlines: number; forecast: string };
  events: string[];
}

// Stand-ins for real calls; each takes ctx.signal so a failure elsewhere
// cancels it.
async function call<T>(ctx: StepContext, ms: number, value: T, events: string[], now: () => number): Promise<T> {
  events.push(`${now()} ms: ${ctx.name} started`);
  await sleep(ms, { signal: ctx.signal });
  events.push(`${now()} ms: ${ctx.name} done`);
  return value;
}

export async function main(now: () => number): Promise<Timeline> {
  const events: string[] = [];
  const pipeline = flow()
    .step('login', (_, ctx) => call(ctx, 40, { session: 'S-1' }, events, now))
    .step('token', ['login'], ({ login }, ctx) => call(ctx, 20, `T(${login.session})`, events, now))
    .step('data', ['token'], ({ token }, ctx) => call(ctx, 30, { token, rows: 12 }, events, now))
    .step('submit', ['data'], ({ data }, ctx) => call(ctx, 10, `receipt for ${data.rows} rows`, events, now))
    .step('news', (_, ctx) => call(ctx, 25, ['a', 'b', 'c'], events, now))
    .step('weather', (_, ctx) => call(ctx, 15, 'sunny', events, now));

  const results = await pipeline.run({ concurrency: 4 });
  return {
    result: { receipt: results.submit, headlines: results.news.length, forecast: results.weather },
    events,
  };
}
