module concbench/impls/go

go 1.25
