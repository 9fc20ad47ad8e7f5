/**
 * Errors that never reach a controller, as RFC 9457 problem+json like the API's own: requests Tomcat
 * refuses before mapping them (a malformed path, a request line or header over its limits), and
 * errors the servlet container forwards to {@code /error}.
 */
@NullMarked
package dev.bullpen.producer.errors;

import org.jspecify.annotations.NullMarked;
