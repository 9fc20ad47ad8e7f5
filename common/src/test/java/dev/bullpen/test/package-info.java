/**
 * The test fixtures, one of each, shared through this module's test-jar with the worker, producer
 * and bench tests:
 * <ul>
 * <li>{@link dev.bullpen.test.BullpenServices}: the real RabbitMQ and Redis, with names of the class's own;</li>
 * <li>{@link dev.bullpen.test.ServiceProcess}: a runnable jar started as its own process;</li>
 * <li>{@link dev.bullpen.test.PythonCelery} and {@link dev.bullpen.test.PythonCeleryWorker}: real Python
 *     Celery, client and worker; {@link dev.bullpen.test.NeedsPython}: the tag of the tests that use them
 *     (or Jupyter), run with {@code -Ppython};</li>
 * <li>{@link dev.bullpen.test.TestHttp}: HTTP to a server under test; {@link dev.bullpen.test.BrokerManagement}:
 *     RabbitMQ's management API;</li>
 * <li>{@link dev.bullpen.test.PrivateRabbitNode}, {@link dev.bullpen.test.PrivateRedisServer},
 *     {@link dev.bullpen.test.TcpProxy}: brokers and links a test may stop and break.</li>
 * </ul>
 * The in-process worker, which needs the worker's classes, is
 * {@code dev.bullpen.worker.test.InProcessWorker} in the worker's test-jar.
 */
@NullMarked
package dev.bullpen.test;

import org.jspecify.annotations.NullMarked;
