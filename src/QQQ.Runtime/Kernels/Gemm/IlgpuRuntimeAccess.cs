using System.Runtime.CompilerServices;

// The CPU accelerator emits a dynamic assembly named "ILGPURuntime" that constructs the kernels' internal
// argument types (GemmArguments and friends); it needs to see them.
[assembly: InternalsVisibleTo("ILGPURuntime")]
