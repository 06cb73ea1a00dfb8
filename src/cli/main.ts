/**
 * The arxiv-digest command line (contract §Commands). Results go to stdout, progress and errors to stderr.
 * Exit status: 0 done, 1 the work failed, 2 bad input (one line naming the value and what is expected; nothing is
 * posted or stored: input is validated before the store is opened or anything is fetched).
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { critiqueToMarkdown, renderJson, renderMarkdown } from '../archive/markdown';
import { writeArchive } from '../archive/write';
import { parseArxivId } from '../arxiv/ids';
import { type LoadedConfig, loadConfig, pickDigests } from '../config/load';
import { CHAT_PLATFORMS, checkCredentials, checkPlatformSetup, createAdapters, PLATFORM_CONFIG } from './adapters';
import type { Assembly } from '../jobs/assembly';
import { type Clock, createContext } from '../context';
import { channelsOf, runDigest } from '../jobs/run';
import { getPostedDigest } from '../jobs/post';
import { NO_LLM_NOTICE } from '../pipeline/digest';
import { createServices } from '../jobs/services';
import type { Services } from '../pipeline/services';
import { critiquePaper } from '../commands/critique';
import { startBot } from '../bot';
import { tallyDigest } from '../jobs/tally';
import { disarmMentions } from '../app/text';
import { ArxivDigestError, oneLine, UserInputError } from '../app/errors';
import { createLogger, type Logger } from '../app/log';
import { readSettings, type Settings } from '../config/settings';
import { createProgress } from '../app/progress';
import { localDate } from '../app/time';
import { checkStoreUrl, openStore, type Store } from '../store';
import { formatUsd } from '../llm/pricing';
import { HELP, type ParsedArgs, parseCli } from './args';

export interface CliIo {
  stdout: { write(s: string): unknown };
  stderr: NodeJS.WriteStream | { write(s: string): unknown; isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Test seams: a clock, a logger, services overrides. */
  clock?: Clock;
  log?: Logger;
  services?: Partial<Services>;
}

const defaultIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});

const VERSION = '0.1.0';

export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
  let store: Store | undefined;
  try {
    const args = parseCli(argv);
    if (args.version) {
      io.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (args.help || !args.command) {
      (args.command || args.help ? io.stdout : io.stderr).write(`${HELP}\n`);
      return args.command || args.help ? 0 : 2;
    }
    // Everything the user typed is checked before anything is opened, fetched or posted.
    const settings = readSettings(io.env);
    const file = args.config ?? settings.configFile;
    const loaded = loadConfig({
      ...(file ? { file } : {}),
      cwd: io.cwd,
      platforms: PLATFORM_CONFIG,
    });
    const checked = checkCommand(args, loaded, io);
    // Setup errors are exit 2 and create nothing: the store (an empty SQLite file) is opened only after them.
    const url = storeUrl(io);
    checkStoreUrl(url, io.cwd);
    checkPlatformSetup(io.env, args.command);
    // `start` posts every digest on its schedule: a channel it cannot post to is refused now, as `digest` does.
    if ((args.command === 'digest' && !args.dryRun) || args.command === 'start')
      checkCredentials(checked.digests, io.env, args.command === 'digest' ? ' (or use --dry-run)' : '');
    store = await openStore(url, { ...(settings.dataDir ? { dataDir: settings.dataDir } : {}) });
    const app = assemble(io, { loaded, settings, store, command: args.command });
    switch (args.command) {
      case 'digest':
        return await digestCommand(app, args, checked, io);
      case 'critique':
        return await critiqueCommand(app, args, io);
      case 'start':
        return await startCommand(app, io);
      case 'tally':
        return await tallyCommand(app, checked, args, io);
      case 'register-commands':
        return await registerCommand(app, io);
    }
    return 2;
  } catch (err) {
    return reportError(err, io);
  } finally {
    await store?.close().catch(() => undefined);
  }
}

function storeUrl(io: CliIo): string {
  const url = io.env.STORE_URL;
  if (url?.startsWith('sqlite://') && !path.isAbsolute(url.slice('sqlite://'.length))) {
    return `sqlite://${path.resolve(io.cwd, url.slice('sqlite://'.length))}`;
  }
  return url || `sqlite://${path.resolve(io.cwd, 'data/arxiv-digest.sqlite')}`;
}

interface Checked {
  digests: LoadedConfig['config']['digests'];
}

function checkCommand(args: ParsedArgs, loaded: LoadedConfig, io: CliIo): Checked {
  const digests =
    args.command === 'digest' || args.command === 'tally'
      ? pickDigests(loaded.config, args.name)
      : loaded.config.digests;
  if (args.command === 'critique') {
    const input = args.positionals[0];
    if (!input) throw new UserInputError('critique needs an arXiv id or URL (e.g. arxiv-digest critique 2510.26707)');
    parseArxivId(input);
  }
  if (args.command === 'digest' && args.out && digests.length > 1 && !isDirectoryTarget(args.out, io.cwd)) {
    throw new UserInputError(
      `--out "${args.out}" is one file but the config has ${digests.length} digests (expected a directory ending in "/", or pick one with --name)`,
    );
  }
  if (args.date) {
    // arXiv announces on New York days: a later day has no listing yet, and would quietly print "no announcements".
    const today = localDate((io.clock ?? { now: Date.now }).now(), 'America/New_York');
    if (args.date > today) {
      throw new UserInputError(`--date "${args.date}" is in the future (expected ${today} or an earlier day)`);
    }
  }
  if (args.command === 'digest' && args.out) checkWritable(args.out, io.cwd);
  return { digests };
}

/** `--out` is checked before anything is fetched or posted: a typo'd path must not surface after the digest went out. */
function checkWritable(out: string, cwd: string): void {
  const target = path.resolve(cwd, out);
  const isDir = isDirectoryTarget(out, cwd);
  let dir = isDir ? target : path.dirname(target);
  if (!isDir && existsSync(target)) dir = target; // an existing file: it must be writable itself
  while (!existsSync(dir)) dir = path.dirname(dir);
  const problem = (why: string) =>
    new UserInputError(`--out "${out}" cannot be written (${why}; expected a file or directory path you can write)`);
  if (dir !== target && !statSync(dir).isDirectory()) throw problem(`${dir} is a file, not a directory`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw problem(`no permission to write in ${dir}`);
  }
}

function isDirectoryTarget(out: string, cwd: string): boolean {
  const full = path.resolve(cwd, out);
  return out.endsWith('/') || (existsSync(full) && statSync(full).isDirectory());
}

function assemble(
  io: CliIo,
  parts: { loaded: LoadedConfig; settings: Settings; store: Store; command: ParsedArgs['command'] },
): Assembly {
  const { loaded, settings, store, command } = parts;
  // One-shot commands keep stderr for progress and warnings; the bot logs its info lines.
  const level = settings.logLevel || (command === 'start' ? 'info' : 'warn');
  const log = io.log ?? createLogger({ level, secrets: settings.secrets });
  const stream = io.stderr as NodeJS.WriteStream;
  const progress = createProgress({ enabled: settings.progress, stream, bars: !settings.ci });
  const ctx = createContext({
    config: loaded.config,
    store,
    log,
    env: io.env,
    settings,
    progress,
    ...(io.clock ? { clock: io.clock } : {}),
  });
  const services = createServices(ctx, io.services);
  return { ctx, services, adapters: createAdapters(ctx), platforms: CHAT_PLATFORMS };
}

async function digestCommand(app: Assembly, args: ParsedArgs, checked: Checked, out: CliIo): Promise<number> {
  const io = app.ctx;
  for (const digestConfig of checked.digests) {
    const post = !args.dryRun && digestConfig.channels.length > 0;
    io.progress.note(
      `${digestConfig.name}: reading arXiv ${digestConfig.categories.join('+')}${args.date ? ` for ${args.date}` : ''}`,
    );
    const result = await runDigest(app, digestConfig, {
      ...(args.date ? { date: args.date } : {}),
      post,
      ...(args.noLlm ? { noLlm: true } : {}),
    });
    const digest = result.digest;
    // What the digest fell back on (an unusable LLM endpoint, the budget) is said here too, one line each.
    for (const notice of digest.notices)
      if (notice !== NO_LLM_NOTICE) out.stderr.write(`${digestConfig.name}: ${disarmMentions(notice)}\n`);
    if (digest.empty) {
      out.stderr.write(
        `${digestConfig.name}: no announcements on arXiv for ${digest.categories.join(', ')} (${digest.date}): nothing to post\n`,
      );
    }
    if (args.out && !digest.empty) {
      const target = path.resolve(out.cwd, args.out);
      const file = writeArchive(
        digest,
        isDirectoryTarget(args.out, out.cwd) ? { dir: target } : { file: target },
        io.config,
      );
      io.progress.note(`${digestConfig.name}: archive written to ${file}`);
    }
    // Printed when nothing is posted (dry run, no channel) or when a format was asked for explicitly.
    if (!post || args.formatGiven) {
      if (args.format === 'json') out.stdout.write(`${renderJson(digest)}\n`);
      else if (!digest.empty) out.stdout.write(renderMarkdown(digest, { config: io.config }));
    }
    for (const p of result.posted.filter((x) => x.adopted)) {
      out.stderr.write(
        `${digestConfig.name}: adopted the digest of ${digest.date} already posted in ${p.platform} channel ${p.channelId} (the store had no record of it); posted only what it was missing\n`,
      );
    }
    for (const p of result.posted) {
      io.progress.note(
        `${digestConfig.name}: posted ${digest.date} to ${p.platform} channel ${p.channelId} (${Object.keys(p.papers).length} papers)`,
      );
    }
    // Said whatever the progress setting: a re-run that posts nothing must not read as a post.
    for (const p of result.alreadyPosted ?? []) {
      out.stderr.write(
        p.postedByOther
          ? `${digestConfig.name}: ${digest.date} was posted to ${p.platform} channel ${p.channelId} by another run meanwhile (this one waited for it and posted nothing)\n`
          : `${digestConfig.name}: already posted ${digest.date} to ${p.platform} channel ${p.channelId} (nothing to do)\n`,
      );
    }
    const u = digest.usage;
    io.progress.note(
      `${digestConfig.name}: ${digest.totalPapers} papers, ${digest.selected.length} selected; LLM calls ${u.llmCalls} (cached ${u.cachedCalls}), tokens ${u.promptTokens}+${u.completionTokens}, est. ${formatUsd(u.estimatedCostUsd ?? 0)}`,
    );
  }
  return 0;
}

async function critiqueCommand(app: Assembly, args: ParsedArgs, out: CliIo): Promise<number> {
  const input = args.positionals[0] ?? '';
  const result = await critiquePaper(app.ctx, app.services, input, { progress: (line) => app.ctx.progress.note(line) });
  if (args.format === 'json') {
    const { paper } = result;
    out.stdout.write(
      `${JSON.stringify({ id: paper.id, version: paper.version, title: disarmMentions(paper.title), critique: disarmMentions(result.critique), cached: result.cached, usage: result.usage })}\n`,
    );
  } else {
    out.stdout.write(critiqueToMarkdown(result.paper, result.critique));
  }
  return 0;
}

/** The long-running bot. It returns only when startup fails; SIGTERM/SIGINT stop it gracefully and exit. */
async function startCommand(app: Assembly, out: CliIo): Promise<number> {
  // A digest with no channel and no archiveDir would be built every day (paying the model) for no reader.
  const config = app.ctx.config;
  const idle = config.digests.filter((d) => d.channels.length === 0 && !d.archiveDir);
  for (const d of idle)
    out.stderr.write(
      `arxiv-digest: digest "${d.name}" has no channels and no archiveDir: start will not build it (nothing would read it, and the model would be paid); add channels: or archiveDir: to it in the config\n`,
    );
  if (idle.length)
    app = {
      ...app,
      ctx: { ...app.ctx, config: { ...config, digests: config.digests.filter((d) => !idle.includes(d)) } },
    };
  const bot = await startBot(app);
  const platforms = Object.keys(app.adapters);
  out.stderr.write(
    `arxiv-digest: bot started on port ${bot.port} (${platforms.length ? platforms.join(', ') : 'no chat platform: digests are built and archived only'}; ${app.ctx.config.digests.length} digest(s) scheduled)\n`,
  );
  await new Promise<never>(() => {});
  return 0;
}

const TALLY_WAIT_MS = 90_000;

/** `tally --date` of a day the digest was never posted (no channel has a record of it): there is no vote. */
async function checkPostedOn(app: Assembly, digest: Checked['digests'][number], date: string): Promise<void> {
  for (const { platform, channelId } of channelsOf(digest))
    if (await getPostedDigest(app.ctx.store, platform, channelId, digest.name, date)) return;
  throw new UserInputError(
    `digest "${digest.name}" was not posted on ${date}, so there is no vote to close (expected --date of a day it was posted)`,
  );
}

async function tallyCommand(app: Assembly, checked: Checked, args: ParsedArgs, out: CliIo): Promise<number> {
  if (args.date) for (const digestConfig of checked.digests) await checkPostedOn(app, digestConfig, args.date);
  for (const digestConfig of checked.digests) {
    // A live holder is waited for a while (a dead one's lock is taken over at once or expires within seconds).
    const result = await tallyDigest(app, digestConfig, args.date, {
      waitMs: TALLY_WAIT_MS,
      onWait: (line) => app.ctx.progress.note(`${digestConfig.name}: ${line}`),
    });
    if (result.status === 'busy') {
      out.stderr.write(
        `arxiv-digest: ${digestConfig.name}: another instance has been closing this vote for over ${TALLY_WAIT_MS / 1000} s; try again later\n`,
      );
      return 1;
    }
    const outcome = result.outcome;
    if (!outcome) continue;
    const lines = outcome.lines.map(
      (l) => `${l.winner ? '*' : ' '} ${String(l.votes).padStart(3)}  ${l.id}  ${l.title}`,
    );
    out.stdout.write(`${outcome.name} ${outcome.date}: ${outcome.totalVoters} voter(s)\n${lines.join('\n')}\n`);
  }
  return 0;
}

/** Each platform that registers its commands does (the descriptor's `registerCommands`), one line each. */
async function registerCommand(app: Assembly, out: CliIo): Promise<number> {
  for (const platform of app.platforms ?? []) {
    if (platform.registerCommands) out.stdout.write(`${await platform.registerCommands(app.ctx)}\n`);
  }
  return 0;
}

function reportError(err: unknown, io: CliIo): number {
  if (err instanceof ArxivDigestError) {
    io.stderr.write(`arxiv-digest: ${oneLine(err)}\n`);
    return err.exitCode;
  }
  // One line like every other error; the stack only when asked for (LOG_LEVEL=debug).
  const debug = io.env.LOG_LEVEL === 'debug' || io.env.LOG_LEVEL === 'trace';
  const detail = err instanceof Error && debug ? `\n${err.stack ?? ''}` : '';
  io.stderr.write(`arxiv-digest: unexpected error: ${oneLine(err)}${detail}\n`);
  return 1;
}
