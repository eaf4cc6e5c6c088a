/**
 * The coordinator kernel: the protocol of docs/protocol.md, a Netty server that speaks it, and
 * the barrier counting behind checkpoint and restart.
 *
 * <p>Public: {@link org.stasis.barrier.Coordinator} and its config and status records,
 * {@link org.stasis.barrier.CommandClient}, {@link org.stasis.barrier.Message} with
 * {@link org.stasis.barrier.MessageCodec}, and {@link org.stasis.barrier.Secrets}. Everything else
 * is package-private so the front ends cannot come to depend on it.
 */
package org.stasis.barrier;
