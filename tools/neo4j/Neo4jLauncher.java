// Development/test launcher for a real Neo4j Community DBMS (embedded engine + Bolt connector).
//
// Neo4j Community is GPLv3. This file only links it at run time for local development and tests;
// it is not part of the arkgraph package (see docs/neo4j-local.md).
//
// Run without a compile step (Java 11+ single-file source launcher, JEP 330):
//   java -Xmx1g -cp '.neo4j/lib/*' tools/neo4j/Neo4jLauncher.java
//
// Environment:
//   NEO4J_DATA_DIR          DBMS home directory (databases, transaction logs, logs/). Default .neo4j/data
//   NEO4J_BOLT_PORT         Bolt port on 127.0.0.1. Default 7687
//   NEO4J_PASSWORD          password for the user "neo4j" (required, >= 8 characters, never printed)
//   NEO4J_PAGECACHE         page cache size, e.g. 256m. Default 256m
//   NEO4J_TX_MEMORY_MAX     global transaction memory limit, e.g. 512m. Default 512m
//   NEO4J_TX_LOG_RETENTION  transaction log retention (db.tx_log.rotation.retention_policy). Default "2 files"
//   NEO4J_EXIT_ON_STDIN_EOF 1 = shut down when stdin reaches EOF (the parent process died)
// An optional <NEO4J_DATA_DIR>/neo4j.conf is loaded for extra settings; the Bolt, HTTP and auth
// settings below are always forced.
//
// Prints "NEO4J_READY bolt://127.0.0.1:<port> <version>" once Bolt accepts connections and the
// password is set; shuts down cleanly on SIGTERM/SIGINT (shutdown hook) and prints "NEO4J_STOPPED".

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.SettingImpl;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.connectors.HttpsConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.graphdb.config.Setting;

public final class Neo4jLauncher {
  private static final String HOST = "127.0.0.1";

  private static volatile DatabaseManagementService dbms;
  private static final CountDownLatch stopped = new CountDownLatch(1);

  public static void main(String[] args) throws Exception {
    Path home = Path.of(env("NEO4J_DATA_DIR", ".neo4j/data")).toAbsolutePath();
    int port = Integer.parseInt(env("NEO4J_BOLT_PORT", "7687"));
    String password = System.getenv("NEO4J_PASSWORD");
    if (password == null || password.length() < 8) {
      fail("NEO4J_PASSWORD must be set to at least 8 characters (Neo4j's minimum password length)", null);
    }

    Runtime.getRuntime().addShutdownHook(new Thread(Neo4jLauncher::shutdown, "neo4j-launcher-shutdown"));

    try {
      Files.createDirectories(home);
      var builder = new DatabaseManagementServiceBuilder(home);
      Path conf = home.resolve("neo4j.conf");
      if (Files.exists(conf)) {
        builder.loadPropertiesFromFile(conf);
      }
      builder
          // Memory: small, for a 2-core machine shared with tests. The heap is set with -Xmx by the caller.
          .setConfig(GraphDatabaseSettings.pagecache_memory, parse(GraphDatabaseSettings.pagecache_memory,
              env("NEO4J_PAGECACHE", "256m")))
          .setConfig(GraphDatabaseSettings.memory_transaction_global_max_size,
              parse(GraphDatabaseSettings.memory_transaction_global_max_size, env("NEO4J_TX_MEMORY_MAX", "512m")))
          // Keep only the transaction logs recovery needs plus two more: with Neo4j's default (2 days) every write
          // of every test and benchmark stays on disk; a large benchmark sync wrote 32 GB of logs for a 5 GB store.
          .setConfig(GraphDatabaseSettings.keep_logical_logs, env("NEO4J_TX_LOG_RETENTION", "2 files"))
          // Small, throw-away stores: do not preallocate transaction logs / store files.
          .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
          .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
          // No query log (it would grow with every test query) and no usage reporting.
          .setConfig(GraphDatabaseSettings.log_queries, GraphDatabaseSettings.LogQueryLevel.OFF)
          .setConfig(GraphDatabaseSettings.udc_enabled, false)
          // Bolt only, on loopback only; auth on.
          .setConfig(BoltConnector.enabled, true)
          .setConfig(BoltConnector.listen_address, new SocketAddress(HOST, port))
          .setConfig(BoltConnector.advertised_address, new SocketAddress(HOST, port))
          .setConfig(HttpConnector.enabled, false)
          .setConfig(HttpsConnector.enabled, false)
          .setConfig(GraphDatabaseSettings.auth_enabled, true)
          // Internal settings: without them a stop waits twice for Netty's 5 s quiet period (~12 s in all).
          .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
          .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
          .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
          .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1));

      timing("configured");
      dbms = builder.build();
      timing("dbms built (Bolt listening)");

      var system = dbms.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME);
      if (!system.isAvailable(120_000)) {
        fail("the system database did not become available within 120 s", null);
      }
      setPassword(system, password);
      timing("password set");

      var neo4j = dbms.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
      if (!neo4j.isAvailable(120_000)) {
        fail("the database 'neo4j' did not become available within 120 s", null);
      }
      String version = org.neo4j.kernel.internal.Version.getNeo4jVersion();

      waitForBolt(port);
      timing("database available");
      System.out.println("NEO4J_READY bolt://" + HOST + ":" + port + " " + version);
      System.out.flush();
    } catch (Throwable e) {
      fail("start-up failed: " + e, e);
    }

    if ("1".equals(System.getenv("NEO4J_EXIT_ON_STDIN_EOF"))) {
      Thread watchdog = new Thread(Neo4jLauncher::exitOnStdinEof, "neo4j-launcher-stdin-watchdog");
      watchdog.setDaemon(true);
      watchdog.start();
    }

    stopped.await(); // until the shutdown hook has run
  }

  /** Sets the password of "neo4j" to the given one, so the environment is the source of truth on every start. */
  private static void setPassword(org.neo4j.graphdb.GraphDatabaseService system, String password) {
    try {
      system.executeTransactionally("ALTER USER neo4j SET PASSWORD $p CHANGE NOT REQUIRED", Map.of("p", password));
    } catch (RuntimeException e) {
      // Re-setting the current password is refused; that is the normal case on a warm start.
      if (!String.valueOf(e.getMessage()).contains("cannot be the same")) {
        throw e;
      }
    }
  }

  private static void waitForBolt(int port) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(HOST, port), 1_000);
        return;
      } catch (java.io.IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Bolt does not accept connections on " + HOST + ":" + port, e);
        }
        Thread.sleep(100);
      }
    }
  }

  private static void exitOnStdinEof() {
    try {
      InputStream in = System.in;
      while (in.read() != -1) {
        // ignore anything written to stdin
      }
    } catch (java.io.IOException ignored) {
      // treat a broken stdin like EOF
    }
    System.out.println("NEO4J_STDIN_EOF parent went away, shutting down");
    System.exit(0); // runs the shutdown hook
  }

  private static void shutdown() {
    var d = dbms;
    if (d != null) {
      System.out.println("NEO4J_STOPPING");
      System.out.flush();
      try {
        d.shutdown();
      } catch (Throwable e) {
        System.err.println("NEO4J_SHUTDOWN_ERROR " + e);
      }
      dbms = null;
      System.out.println("NEO4J_STOPPED");
      System.out.flush();
    }
    stopped.countDown();
  }

  /** Start-up milestones (ms since JVM start) on stdout, for docs/neo4j-local.md's timings. */
  private static void timing(String what) {
    long ms = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime();
    System.out.println("NEO4J_TIMING " + ms + " ms " + what);
  }

  private static <T> T parse(Setting<T> setting, String value) {
    return ((SettingImpl<T>) setting).parse(value);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }

  private static void fail(String message, Throwable cause) {
    System.err.println("NEO4J_FAILED " + message);
    if (cause != null) {
      cause.printStackTrace();
    }
    System.err.flush();
    System.exit(1); // runs the shutdown hook, which stops a half-started DBMS
  }
}
