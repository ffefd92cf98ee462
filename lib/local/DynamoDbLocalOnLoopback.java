/*
 * DynamoDB Local on 127.0.0.1 only. Its own main (and every option it has) makes Jetty listen on
 * all interfaces, where anyone on the network could write to the tables. This launcher builds the
 * same server from the same command line, binds its connectors to loopback before they open, and
 * checks the bound address once they have: if anything is not on loopback it stops and exits 3,
 * so the runtime refuses to start rather than expose the store.
 *
 * Run by `java` as a single source file (lib/local/dynamodb-local.ts): no build step, and the
 * compiler it needs is part of every full Java 17 runtime (Debian's default-jre-headless too).
 */
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public class DynamoDbLocalOnLoopback {
    static final int NOT_ON_LOOPBACK = 3;

    public static void main(String[] args) throws Exception {
        DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
        Server jetty = jettyOf(proxy);
        Connector[] connectors = jetty.getConnectors();
        if (connectors.length == 0) refuse("DynamoDB Local has no connector to bind to loopback");
        for (Connector connector : connectors) {
            if (!(connector instanceof AbstractNetworkConnector network))
                refuse("DynamoDB Local has a connector that cannot be bound: " + connector);
            else network.setHost("127.0.0.1");
        }
        try {
            proxy.start();
        } catch (Exception e) {
            // Its threads would keep the JVM alive without a server: end it, with the reason.
            e.printStackTrace();
            System.exit(1);
        }
        for (Connector connector : connectors) {
            Object transport = connector.getTransport();
            SocketAddress bound =
                transport instanceof ServerSocketChannel channel ? channel.getLocalAddress() : null;
            if (!(bound instanceof InetSocketAddress inet) || !inet.getAddress().isLoopbackAddress()) {
                proxy.stop();
                refuse("DynamoDB Local is not listening on loopback only (" + bound + ")");
            }
        }
        proxy.join();
    }

    /** The Jetty server is a private field of DynamoDB Local's proxy: read it before it starts. */
    static Server jettyOf(DynamoDBProxyServer proxy) throws Exception {
        for (Field field : DynamoDBProxyServer.class.getDeclaredFields()) {
            if (Server.class.isAssignableFrom(field.getType())) {
                field.setAccessible(true);
                return (Server) field.get(proxy);
            }
        }
        refuse("DynamoDB Local's Jetty server was not found; this release is not supported");
        return null;
    }

    static void refuse(String why) {
        System.err.println(why + ": refusing to start.");
        System.exit(NOT_ON_LOOPBACK);
    }
}
