using UnityEngine;

namespace UnityEditor
{
    /// <summary>The stand-in of Unity's <c>EditorApplication</c>: <c>isPlaying</c> belongs to the main thread.</summary>
    public static class EditorApplication
    {
        private static bool s_isPlaying = true;

        // Unity's own spelling: a lower-case property.
#pragma warning disable IDE1006
        public static bool isPlaying
#pragma warning restore IDE1006
        {
            get => s_isPlaying;
            set
            {
                UnityCalls.RequireMainThread("set_isPlaying");
                UnityCalls.Record("EditorApplication.isPlaying", value ? "true" : "false");
                s_isPlaying = value;
            }
        }
    }
}
