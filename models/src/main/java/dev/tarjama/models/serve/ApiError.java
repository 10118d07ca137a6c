package dev.tarjama.models.serve;

/**
 * A request the server answers with an error: the HTTP status and the body OpenAI clients expect,
 * {@code {"error": {"message", "type", "param", "code"}}}. {@code param} names the offending
 * request field ({@code null} when the error is not about one field).
 */
final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  final int status;
  final String type;
  final String param;
  final String code;
  /** The {@code Allow} header of a 405; null otherwise. */
  final String allow;
  /** The {@code Retry-After} header (seconds) of a 429; 0 otherwise. */
  final int retryAfter;

  ApiError(int status, String type, String param, String code, String message) {
    this(status, type, param, code, message, null, 0);
  }

  private ApiError(
      int status, String type, String param, String code, String message, String allow,
      int retryAfter) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.param = param;
    this.code = code;
    this.allow = allow;
    this.retryAfter = retryAfter;
  }

  static ApiError methodNotAllowed(String method, String allowed) {
    return new ApiError(405, "invalid_request_error", null, null,
        "method " + method + " is not allowed here; use " + allowed, allowed, 0);
  }

  /** 429: the queue has no room now; retry after {@code seconds}. */
  static ApiError queueFull(int seconds, String message) {
    return new ApiError(429, "rate_limit_error", null, "queue_full", message, null, seconds);
  }

  /** 400 about one request field. */
  static ApiError badField(String param, String message) {
    return new ApiError(400, "invalid_request_error", param, null, message);
  }

  /** 400 about the request as a whole (not JSON, not an object). */
  static ApiError badRequest(String message) {
    return new ApiError(400, "invalid_request_error", null, null, message);
  }
}
