import { isIP } from 'node:net';
import { isLoopbackHost } from '../../framework/http/loopback-host.js';
import { ShopflowError } from '../../framework/index.js';

const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0', '']);
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * The host name of a `Host` header or listen address, lower case, without port and brackets; null
 * when it is not a host name at all.
 *
 * @example
 * hostName('[::1]:3000')            // '::1'
 * hostName('ShopFlow.Internal:80')  // 'shopflow.internal'
 */
export function hostName(value: string): string | null {
  let name = value.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    if (end === -1) return null;
    const rest = name.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    name = name.slice(1, end);
    return isIP(name) === 6 ? name : null;
  }
  if (isIP(name) === 6) return name;
  const colon = name.lastIndexOf(':');
  if (colon !== -1) {
    if (!/^\d{1,5}$/.test(name.slice(colon + 1))) return null;
    name = name.slice(0, colon);
  }
  if (name.endsWith('.')) name = name.slice(0, -1);
  return isIP(name) === 4 || HOSTNAME.test(name) ? name : null;
}

/**
 * The host names this server answers to: the loopback names (`localhost`, `*.localhost`,
 * `127.x.x.x`, `::1`) always, the name or address it listens on (unless that is a wildcard such as
 * `0.0.0.0`), and every name given with `--allowed-host` or `server.allowedHosts`. Every request's
 * `Host` header, and every `Origin`, must name one of them: a page on another site that rebinds its
 * own name to this machine (DNS rebinding) sends its own name and is refused.
 *
 * @example
 * const hosts = AllowedHosts.from({ listenHost: '0.0.0.0', names: ['shopflow.internal'] });
 * hosts.allows('shopflow.internal:3000'); // true
 * hosts.allows('evil.example:3000');      // false
 */
export class AllowedHosts {
  private constructor(private readonly names: ReadonlySet<string>) {}

  /** Throws `SF_BAD_USAGE` naming a value that is not a host name (a URL, a port, a wildcard). */
  static from(options: { listenHost: string; names?: readonly string[] }): AllowedHosts {
    const names = new Set<string>();
    const listen = options.listenHost
      .trim()
      .toLowerCase()
      .replace(/^\[|\]$/g, '');
    if (!WILDCARD_ADDRESSES.has(listen)) {
      const name = hostName(isIP(listen) === 6 ? `[${listen}]` : listen);
      if (name) names.add(name);
    }
    for (const raw of options.names ?? []) {
      const name = hostName(raw);
      if (!name || raw.includes('/') || /:\d+$/.test(raw.replace(/^\[.*\]/, ''))) {
        throw new ShopflowError('SF_BAD_USAGE', `allowed host \`${raw}\` is not a host name`, {
          hint: 'give the bare name people type in the address bar, without scheme or port, e.g. --allowed-host shopflow.internal',
        });
      }
      names.add(name);
    }
    return new AllowedHosts(names);
  }

  /** Whether a `Host` header (name with optional port) names this server. */
  allows(host: string | undefined): boolean {
    if (!host) return false;
    const name = hostName(host);
    if (name === null) return false;
    return isLoopbackHost(name.includes(':') ? `[${name}]` : name) || this.names.has(name);
  }

  /** The names besides loopback, for messages and `/api/health`. */
  get extra(): string[] {
    return [...this.names].sort();
  }
}
