package org.apache.iceberg.rest;

import java.lang.reflect.Method;
import org.apache.iceberg.util.PropertyUtil;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.gzip.GzipHandler;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;

/**
 * Apache Iceberg's REST catalog server (iceberg-open-api test fixtures), bound to
 * 127.0.0.1 only.
 *
 * <p>RESTCatalogServer.start() listens through {@code new Server(port)}, i.e. on every
 * interface, and offers no host setting. This launcher keeps everything that answers
 * requests Apache's own: the backend catalog is built by RESTCatalogServer's private
 * initializeBackendCatalog() (same CATALOG_* environment variables, same defaults), and
 * requests are served by Apache's RESTCatalogServlet over RESTServerCatalogAdapter, wired
 * exactly as start() wires them. Only the listening socket differs: a loopback connector.
 */
public final class LoopbackRESTCatalogServer {
  private static final String HOST = "127.0.0.1";

  private LoopbackRESTCatalogServer() {}

  public static void main(String[] args) throws Exception {
    Method initializeBackendCatalog =
        RESTCatalogServer.class.getDeclaredMethod("initializeBackendCatalog");
    initializeBackendCatalog.setAccessible(true);
    RESTCatalogServer.CatalogContext catalog =
        (RESTCatalogServer.CatalogContext) initializeBackendCatalog.invoke(new RESTCatalogServer());

    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.addServlet(
        new ServletHolder(new RESTCatalogServlet(new RESTServerCatalogAdapter(catalog))), "/*");
    context.insertHandler(new GzipHandler());

    Server server = new Server();
    ServerConnector loopback = new ServerConnector(server);
    loopback.setHost(HOST);
    loopback.setPort(
        PropertyUtil.propertyAsInt(
            catalog.configuration(),
            RESTCatalogServer.REST_PORT,
            RESTCatalogServer.REST_PORT_DEFAULT));
    server.addConnector(loopback);
    server.setHandler(context);
    server.start();
    server.join();
  }
}
