package dev.tarjama.models.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded translation cache: one SQLite file (sqlite-jdbc, natives inside the jar) in WAL
 * mode, for one machine.
 *
 * <p>Why it survives {@code kill -9}: every {@link #putAll} is one committed transaction, and in
 * WAL mode a commit appends to the {@code -wal} file with a plain write, which the operating
 * system keeps once the call returns whatever happens to the process; the next opener replays the
 * WAL. {@code synchronous=NORMAL} skips the fsync per commit, so a power cut (not a process crash)
 * may lose the last commits: a cache may lose entries, never corrupt them. Several processes may
 * share the file ({@code busy_timeout} waits for the writer lock).
 *
 * <p>Thread-safe: one connection per instance, calls serialized (SQLite writes one at a time
 * anyway; a lookup of a few hundred keys takes well under a millisecond).
 */
public final class SqliteTranslationCache implements TranslationCache {
  /** Keys per {@code IN (…)} lookup, well under SQLite's variable limit. */
  private static final int LOOKUP_BATCH = 500;

  private final Path file;
  private final Connection connection;
  private final PreparedStatement insert;
  private boolean closed;

  private SqliteTranslationCache(Path file, Connection connection) throws SQLException {
    this.file = file;
    this.connection = connection;
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA journal_mode=WAL");
      s.execute("PRAGMA synchronous=NORMAL");
      s.execute("PRAGMA busy_timeout=60000");
      s.execute(
          "CREATE TABLE IF NOT EXISTS translation ("
              + " key BLOB PRIMARY KEY,"
              + " text TEXT NOT NULL,"
              + " tokens_in INTEGER NOT NULL,"
              + " tokens_out INTEGER NOT NULL"
              + ") WITHOUT ROWID");
    }
    connection.setAutoCommit(false);
    connection.commit();
    this.insert =
        connection.prepareStatement(
            "INSERT OR REPLACE INTO translation (key, text, tokens_in, tokens_out) VALUES (?, ?, ?, ?)");
  }

  /**
   * Opens (creating the file and its folder when absent) the cache at {@code file}.
   *
   * @throws TranslationCacheException naming the file when it cannot be opened
   */
  public static SqliteTranslationCache open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      try {
        return new SqliteTranslationCache(file, c);
      } catch (SQLException e) {
        c.close();
        throw e;
      }
    } catch (SQLException | IOException e) {
      throw new TranslationCacheException(
          "cannot open the translation cache " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized Map<CacheKey, CachedTranslation> getAll(Collection<CacheKey> keys) {
    Map<CacheKey, CachedTranslation> found = new HashMap<>();
    List<CacheKey> all = new ArrayList<>(keys);
    try {
      for (int from = 0; from < all.size(); from += LOOKUP_BATCH) {
        List<CacheKey> batch = all.subList(from, Math.min(all.size(), from + LOOKUP_BATCH));
        StringBuilder sql =
            new StringBuilder("SELECT key, text, tokens_in, tokens_out FROM translation WHERE key IN (");
        for (int i = 0; i < batch.size(); i++) {
          sql.append(i == 0 ? "?" : ",?");
        }
        sql.append(')');
        try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
          for (int i = 0; i < batch.size(); i++) {
            select.setBytes(i + 1, batch.get(i).bytes());
          }
          try (ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
              found.put(
                  new CacheKey(rows.getBytes(1)),
                  new CachedTranslation(rows.getString(2), rows.getLong(3), rows.getLong(4)));
            }
          }
        }
      }
      connection.commit(); // ends the read transaction, so the WAL can be checkpointed
    } catch (SQLException e) {
      rollbackQuietly();
      throw new TranslationCacheException(
          "cannot read the translation cache " + file + ": " + e.getMessage(), e);
    }
    return found;
  }

  @Override
  public synchronized void putAll(Map<CacheKey, CachedTranslation> entries) {
    if (entries.isEmpty()) {
      return;
    }
    try {
      for (Map.Entry<CacheKey, CachedTranslation> e : entries.entrySet()) {
        insert.setBytes(1, e.getKey().bytes());
        insert.setString(2, e.getValue().text());
        insert.setLong(3, e.getValue().tokensIn());
        insert.setLong(4, e.getValue().tokensOut());
        insert.addBatch();
      }
      insert.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new TranslationCacheException(
          "cannot write the translation cache " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void removeAll(Collection<CacheKey> keys) {
    if (keys.isEmpty()) {
      return;
    }
    try (PreparedStatement delete =
        connection.prepareStatement("DELETE FROM translation WHERE key = ?")) {
      for (CacheKey key : keys) {
        delete.setBytes(1, key.bytes());
        delete.addBatch();
      }
      delete.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      rollbackQuietly();
      throw new TranslationCacheException(
          "cannot write the translation cache " + file + ": " + e.getMessage(), e);
    }
  }

  /** How many translations are stored. */
  public synchronized long size() {
    try (Statement s = connection.createStatement();
        ResultSet rows = s.executeQuery("SELECT count(*) FROM translation")) {
      rows.next();
      long n = rows.getLong(1);
      connection.commit();
      return n;
    } catch (SQLException e) {
      rollbackQuietly();
      throw new TranslationCacheException("cannot count the translation cache " + file, e);
    }
  }

  @Override
  public String describe() {
    return "sqlite:" + file;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      insert.close();
      connection.close();
    } catch (SQLException e) {
      throw new TranslationCacheException("cannot close the translation cache " + file, e);
    }
  }

  private void rollbackQuietly() {
    try {
      connection.rollback();
    } catch (SQLException ignored) {
      // The error that brought us here is the one worth reporting.
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
