import { startAdminServer } from '../admin/admin-server.js';
import type { Command } from '../command.js';
import { configError, ExitCode } from '../exit-codes.js';

/**
 * `vmsync admin`: serves the admin page until Ctrl-C / SIGTERM. Listens on
 * VMSYNC_ADMIN_HOST:VMSYNC_ADMIN_PORT (127.0.0.1:8470); refuses to start without
 * VMSYNC_ADMIN_PASSWORD (or _FILE).
 */
export const admin: Command = {
  words: ['admin'],
  usage: 'admin',
  summary: 'serve the admin web page (sign-in with VMSYNC_ADMIN_PASSWORD)',
  async run(ctx) {
    const password = ctx.env.VMSYNC_ADMIN_PASSWORD;
    if (password === undefined) {
      throw configError(
        'VMSYNC_ADMIN_PASSWORD (or VMSYNC_ADMIN_PASSWORD_FILE) is not set: the admin page needs a password to let anyone in.',
      );
    }
    const server = await startAdminServer({
      ctx,
      password: password.reveal(),
      host: ctx.env.VMSYNC_ADMIN_HOST,
      port: ctx.env.VMSYNC_ADMIN_PORT,
      ...(ctx.env.VMSYNC_ADMIN_ORIGIN === undefined ? {} : { origin: ctx.env.VMSYNC_ADMIN_ORIGIN }),
      log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
    });
    ctx.out.result({ url: server.url }, () => `admin page on ${server.url} (Ctrl-C stops it)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return ExitCode.ok;
  },
};
