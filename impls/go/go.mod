module concbench/impls/go

go 1.26.8
