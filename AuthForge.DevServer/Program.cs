namespace AuthForge.DevServer
{
    internal static class Program
    {
        private static int Main() => 0;
    }
}
