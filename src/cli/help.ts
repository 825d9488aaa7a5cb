import { DEFAULT_HOST, DEFAULT_NAMESPACE, DEFAULT_PORT, type CommandName } from './args';
import { VERSION } from './version';

const MAIN_HELP = `appsync-events ${VERSION}: a local AWS AppSync Events API for development and tests

Usage:
  appsync-events <command> [options]

Commands:
  serve    Run the local Event API emulator (HTTP publish + WebSocket) until Ctrl-C
  demo     Run a short client session (subscribe, publish over WebSocket and HTTP)
           against an embedded emulator, or a real API set by APPSYNC_EVENTS_* variables

Options:
  -h, --help       Show this help (or 'appsync-events help <command>')
  -v, --version    Print the version

Run 'appsync-events serve --help' for the emulator's options.
`;

const SERVE_HELP = `Usage:
  appsync-events serve [options]

Starts the local AppSync Events emulator and prints its HTTP endpoint, realtime endpoint, API key
and a client snippet to copy. Stop it with Ctrl-C.

Options:
  -p, --port PORT       Port to listen on; 0 picks a free one. Default: ${DEFAULT_PORT}
      --host HOST       Interface to bind. Default: ${DEFAULT_HOST}
                        (0.0.0.0 makes the emulator reachable from your network)
      --api-key KEY     Accepted API key; repeat for several. Default: a random key
      --namespace NAME  Channel namespace; repeat for several (then exactly those
                        exist). Default: ${DEFAULT_NAMESPACE}
      --ka-interval MS  Interval of keep-alive ('ka') frames. Default: 60000, as AWS
      --tls             Serve https:// and wss:// with a self-signed certificate made
                        at start; prints where it is and how to trust it
  -h, --help            Show this help

Examples:
  appsync-events serve
  appsync-events serve --port 0 --namespace chat --namespace game
  appsync-events serve --api-key da2-local-dev-key --ka-interval 5000 --tls
`;

/**
 * The help text for the tool or one command, ending with a newline.
 *
 * @example
 * ```ts
 * import { helpText } from './help';
 * process.stdout.write(helpText('serve'));
 * ```
 */
export function helpText(topic?: CommandName): string {
  switch (topic) {
    case 'serve':
      return SERVE_HELP;
    case 'demo':
      return [
        'Usage:',
        '  appsync-events demo',
        '',
        'Runs a short client session: subscribes to /<namespace>/*, publishes over the WebSocket and over',
        'HTTP, and prints connection states and received events. Uses an embedded emulator unless',
        'APPSYNC_EVENTS_HTTP_ENDPOINT and APPSYNC_EVENTS_API_KEY are set (optional:',
        'APPSYNC_EVENTS_REALTIME_ENDPOINT, APPSYNC_EVENTS_NAMESPACE).',
        '',
      ].join('\n');
    default:
      return MAIN_HELP;
  }
}
