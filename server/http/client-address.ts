import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * The address of the client's connection (never a forwarded-for header, which a client can set).
 *
 * @example
 * clientAddress(request) // '127.0.0.1'
 */
export function clientAddress(request: FastifyRequest): string {
  return request.socket?.remoteAddress ?? request.ip ?? 'unknown';
}

/**
 * Whether a connection comes from this machine (`127.x.x.x`, `::1`, or IPv4-mapped loopback).
 *
 * @example
 * isLoopbackAddress('::ffff:127.0.0.1') // true
 */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(plain) === 4) return plain.startsWith('127.');
  return plain === '::1' || plain === '0:0:0:0:0:0:0:1';
}
