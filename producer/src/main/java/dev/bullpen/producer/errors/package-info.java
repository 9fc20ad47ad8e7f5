/**
 * The API's errors as RFC 9457 problem+json, built one way: {@link dev.bullpen.producer.errors.Problems}
 * for every handler, and the same shape for errors that never reach a controller: requests Tomcat
 * refuses before mapping them (a malformed path, a request line or header over its limits), and
 * errors the servlet container forwards to {@code /error}.
 */
@NullMarked
package dev.bullpen.producer.errors;

import org.jspecify.annotations.NullMarked;
