// LaunchSignalTests sends a real SIGTERM to this process; any launcher or tool command of another test running at that
// moment would stop too. The whole project runs in a few seconds, so its tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
