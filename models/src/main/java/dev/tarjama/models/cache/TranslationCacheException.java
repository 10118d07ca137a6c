package dev.tarjama.models.cache;

/** A cache could not be opened, read or written; the message names the store, never a secret. */
public final class TranslationCacheException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TranslationCacheException(String message, Throwable cause) {
    super(message, cause);
  }

  public TranslationCacheException(String message) {
    super(message);
  }
}
