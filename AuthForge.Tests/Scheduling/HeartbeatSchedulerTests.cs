using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace AuthForge.Tests.Scheduling
{
    /// <summary>The process-wide heartbeat scheduler, on private instances so tests don't share its state.</summary>
    public sealed class HeartbeatSchedulerTests
    {
        private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

        [Fact]
        public async Task RunsATickRepeatedlyAtItsInterval()
        {
            var scheduler = new HeartbeatScheduler();
            int ticks = 0;
            var thirdTick = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using HeartbeatRegistration registration = scheduler.Schedule(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(1), (r, ct) =>
            {
                if (Interlocked.Increment(ref ticks) == 3) thirdTick.TrySetResult(true);
                return Task.CompletedTask;
            });

            Assert.Same(thirdTick.Task, await Task.WhenAny(thirdTick.Task, Task.Delay(Patience)));
        }

        [Fact]
        public async Task ATickThatHasStartedIsAwaitedByWhenIdleEvenBeforeItFirstYields()
        {
            // LogoutAsync completes on WhenIdle: a tick already running when it is read must be part of it, also while
            // the tick is still in its synchronous start (building and handing a request to the HTTP stack).
            var scheduler = new HeartbeatScheduler(new AuthForge.Tests.Support.ManualClock(), useTimer: false);
            using var entered = new ManualResetEventSlim();
            using var release = new ManualResetEventSlim();
            HeartbeatRegistration registration = scheduler.Schedule(TimeSpan.FromMinutes(1), TimeSpan.Zero, (r, ct) =>
            {
                entered.Set();
                release.Wait(Patience);
                return Task.CompletedTask;
            });
            Task ticking = Task.Factory.StartNew(() => scheduler.RunDueAsync(), CancellationToken.None,
                TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
            Assert.True(entered.Wait(Patience));

            registration.Dispose();
            Task idle = registration.WhenIdle;

            Assert.False(idle.IsCompleted, "WhenIdle completed while the tick was still running");
            release.Set();
            await idle.WaitAsync(Patience);
            await ticking.WaitAsync(Patience);
        }

        [Fact]
        public async Task DisposingUnschedulesAtOnceAndLeavesNothingBehind()
        {
            var scheduler = new HeartbeatScheduler();
            int ticks = 0;
            HeartbeatRegistration[] registrations = new HeartbeatRegistration[100];
            for (int i = 0; i < registrations.Length; i++)
                // Due in a second: the count below is exact only while none is between the heap and its run, and a
                // loaded machine can take longer than a few dozen milliseconds over this loop.
                registrations[i] = scheduler.Schedule(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(1000 + i), (r, ct) =>
                {
                    Interlocked.Increment(ref ticks);
                    return Task.CompletedTask;
                });
            Assert.Equal(100, scheduler.ScheduledCount + CountRunning(registrations));

            foreach (HeartbeatRegistration registration in registrations) registration.Dispose();
            foreach (HeartbeatRegistration registration in registrations) await registration.WhenIdle;

            Assert.Equal(0, scheduler.ScheduledCount);
            int after = Volatile.Read(ref ticks);
            await Task.Delay(60); // several intervals: a leftover registration would tick in this window
            Assert.Equal(after, Volatile.Read(ref ticks));
        }

        [Fact]
        public async Task DisposingCancelsARunningTickAtOnce()
        {
            // A logical signal instead of a stopwatch: the tick's token is already cancelled when Dispose returns,
            // however long the machine then takes to run the tick's continuation.
            var scheduler = new HeartbeatScheduler();
            var started = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
            var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            HeartbeatRegistration registration = scheduler.Schedule(TimeSpan.FromHours(1), TimeSpan.Zero, async (r, ct) =>
            {
                started.TrySetResult(ct);
                try { await Task.Delay(Timeout.Infinite, ct); }
                catch (OperationCanceledException) { cancelled.TrySetResult(true); }
            });
            CancellationToken token = await started.Task.WaitAsync(Patience);
            Assert.False(token.IsCancellationRequested);

            registration.Dispose();

            Assert.True(token.IsCancellationRequested, "Dispose returned before cancelling the running tick.");
            await cancelled.Task.WaitAsync(Patience);
            await registration.WhenIdle.WaitAsync(Patience);
            Assert.Equal(0, scheduler.ScheduledCount);
        }

        [Fact]
        public async Task ASlowTickDoesNotHoldBackOtherRegistrations()
        {
            var scheduler = new HeartbeatScheduler();
            var never = new TaskCompletionSource<bool>();
            using HeartbeatRegistration stuck = scheduler.Schedule(TimeSpan.FromMilliseconds(10), TimeSpan.Zero, (r, ct) => never.Task);
            int ticks = 0;
            var fifth = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using HeartbeatRegistration healthy = scheduler.Schedule(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(5), (r, ct) =>
            {
                if (Interlocked.Increment(ref ticks) == 5) fifth.TrySetResult(true);
                return Task.CompletedTask;
            });

            Assert.Same(fifth.Task, await Task.WhenAny(fifth.Task, Task.Delay(Patience)));
        }

        [Fact]
        public async Task AThrowingTickKeepsItsScheduleAndTheSchedulerAlive()
        {
            var scheduler = new HeartbeatScheduler();
            int ticks = 0;
            var third = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            using HeartbeatRegistration registration = scheduler.Schedule(TimeSpan.FromMilliseconds(10), TimeSpan.Zero, (r, ct) =>
            {
                if (Interlocked.Increment(ref ticks) == 3) third.TrySetResult(true);
                throw new InvalidOperationException("boom");
            });

            Assert.Same(third.Task, await Task.WhenAny(third.Task, Task.Delay(Patience)));
        }

        [Fact]
        public async Task EveryOneOfAThousandRegistrationsWithScatteredDueTimesFires()
        {
            var scheduler = new HeartbeatScheduler();
            var random = new Random(3);
            var registrations = new HeartbeatRegistration[1000];
            // Every third one is removed below; the others must all fire. Counted by index, not by the moment of
            // removal, so a machine slow enough to fire some before they are removed changes nothing.
            int remaining = registrations.Length - (registrations.Length + 2) / 3;
            var all = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            for (int i = 0; i < registrations.Length; i++)
            {
                int fired = 0;
                bool kept = i % 3 != 0;
                registrations[i] = scheduler.Schedule(TimeSpan.FromHours(1), TimeSpan.FromMilliseconds(random.Next(50, 250)), (r, ct) =>
                {
                    if (kept && Interlocked.Exchange(ref fired, 1) == 0 && Interlocked.Decrement(ref remaining) == 0) all.TrySetResult(true);
                    return Task.CompletedTask;
                });
            }
            // Removing every third one out of the middle of the heap must not lose or duplicate the rest.
            for (int i = 0; i < registrations.Length; i += 3) registrations[i].Dispose();

            Assert.Same(all.Task, await Task.WhenAny(all.Task, Task.Delay(Patience)));
            foreach (HeartbeatRegistration registration in registrations) registration.Dispose();
            Assert.Equal(0, scheduler.ScheduledCount);
        }

        private static int CountRunning(HeartbeatRegistration[] registrations)
        {
            int running = 0;
            foreach (HeartbeatRegistration registration in registrations) if (!registration.WhenIdle.IsCompleted) running++;
            return running;
        }
    }
}
