/**
 * Implementation of the client (frame guards, field tables, signature messages, publish meters); not
 * API. Only {@code common} uses it, and it does not use {@code dev.bullpen.client} (no cycle): both
 * are enforced by {@code ArchitectureTests}. Worker and producer use the public
 * {@link dev.bullpen.client.ConfirmingPublisher}, {@link dev.bullpen.client.BrokerTopology} and
 * {@link dev.bullpen.client.CanvasSender} instead.
 */
@NullMarked
package dev.bullpen.client.internal;

import org.jspecify.annotations.NullMarked;
